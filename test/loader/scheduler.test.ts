import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Loader } from '../../src/loader/loader.ts';
import { LoadScheduler } from '../../src/loader/scheduler.ts';
import type { ImportJob } from '../../src/store/import-jobs.ts';
import { WarehouseError, type Warehouse } from '../../src/warehouse/warehouse.ts';
import { generateEvents, openAdapters } from '../helpers/fixtures.ts';

const { store, transport, append, warehouse } = await openAdapters();

beforeAll(async () => {
  for (let id = 1; id <= 5; id++) {
    await store.catalog.createUser({
      id,
      name: `u${id}`,
      email: '',
      joinDate: Date.UTC(2026, 0, id),
      registrationDate: null,
    });
  }
  for (let id = 1; id <= 3; id++) await store.catalog.createTask({ id, title: `step ${id}`, text: '' });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

// Fake setTimeout and clock: "nothing happened" is shown by letting a whole flush interval pass at
// once, and back-off delays are measured exactly. Real I/O (SQLite, chDB) still runs on its own.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
});
afterEach(() => {
  vi.useRealTimers();
});

const realSetTimeout = globalThis.setTimeout;
/** `promise`, or a failure naming `what` after `ms` of real time (the I/O of a run is real). */
const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => realSetTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)),
  ]);

/** Runs every due fake timer and every promise it settles, up to `ms` of fake time. */
const letTimePass = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** The real warehouse with its inserts going through `insert`. */
const withInsert = (real: Warehouse, insert: Warehouse['insert']): Warehouse => ({
  capabilities: real.capabilities,
  exec: (sql) => real.exec(sql),
  query: (sql, params) => real.query(sql, params),
  queryReadOnly: (sql, options) => real.queryReadOnly(sql, options),
  insert,
  catchUp: () => real.catchUp(),
  close: () => Promise.resolve(),
});

/** The real warehouse, refusing every insert as an unreachable one would. */
const unreachable = (real: Warehouse): Warehouse =>
  withInsert(real, () => Promise.reject(new WarehouseError('warehouse down (test)')));

const jobCount = async () => (await store.importJobs.list(1000)).length;

/** A promise and the function that settles it: lets a test hold a step open. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  return { opened: new Promise<void>((resolve) => (open = resolve)), open };
}

describe('LoadScheduler.exclusive', () => {
  it('waits for the load in progress and holds later loads off until its work settles', async () => {
    const steps: string[] = [];
    const loadGate = gate();
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, {
      batchSize: 100,
      afterInsert: async () => {
        steps.push('load inserted');
        await loadGate.opened;
      },
    });
    const scheduler = new LoadScheduler(loader, { flushIntervalMs: 60_000, batchSize: 100 });
    await append(generateEvents(10, 5, 3, 1));

    const firstLoad = scheduler.run('manual');
    await expect.poll(() => steps).toEqual(['load inserted']);

    const workGate = gate();
    const exclusive = scheduler.exclusive(async () => {
      steps.push('exclusive started');
      await workGate.opened;
      steps.push('exclusive done');
      return 'rebuilt';
    });
    await letTimePass(60_000);
    expect(steps).toEqual(['load inserted']);

    loadGate.open();
    await firstLoad;
    await expect.poll(() => steps).toEqual(['load inserted', 'exclusive started']);

    await append(generateEvents(10, 5, 3, 2));
    const jobsBefore = await jobCount();
    const secondLoad = scheduler.run('manual');
    await letTimePass(60_000);
    expect(steps).toEqual(['load inserted', 'exclusive started']);
    expect(await jobCount()).toBe(jobsBefore);

    workGate.open();
    expect(await exclusive).toBe('rebuilt');
    expect(await secondLoad).toMatchObject({ status: 'succeeded', rows: 10 });
    expect(steps).toEqual(['load inserted', 'exclusive started', 'exclusive done', 'load inserted']);
  });

  it('a failing exclusive section releases the loads', async () => {
    const scheduler = new LoadScheduler(
      new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }),
      {
        flushIntervalMs: 60_000,
        batchSize: 100,
      },
    );
    await expect(scheduler.exclusive(() => Promise.reject(new Error('rebuild failed')))).rejects.toThrow(
      'rebuild failed',
    );
    await append(generateEvents(5, 5, 3, 3));
    expect(await scheduler.run('manual')).toMatchObject({ status: 'succeeded', rows: 5 });
  });
});

describe('LoadScheduler.run', () => {
  it('runs concurrent requests one after another: every event is inserted once', async () => {
    const events = generateEvents(300, 5, 3, 7);
    await append(events);
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 50 });
    const scheduler = new LoadScheduler(loader, { flushIntervalMs: 60_000, batchSize: 50 });
    const jobs = await Promise.all([scheduler.run('manual'), scheduler.run('manual'), scheduler.run('schedule')]);
    expect(jobs.reduce((sum, job) => sum + job.rows, 0)).toBe(300);
    const ids = events.map((e) => `'${e.eventId}'`).join(',');
    const [row] = await warehouse.query<{ rows: string }>(
      `SELECT count() AS rows FROM steplog.events WHERE event_id IN (${ids})`,
    );
    expect(Number(row!.rows)).toBe(300);
  });
});

describe('LoadScheduler back-off', () => {
  it('retries a failed load after 1 s, 2 s, 4 s, then every flush interval, and logs each run', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
    let finished: (job: ImportJob) => void = () => undefined;
    const loader = new Loader(transport, store.catalog, store.importJobs, unreachable(warehouse), { batchSize: 100 });
    const scheduler = new LoadScheduler(loader, {
      flushIntervalMs: 5000,
      batchSize: 100,
      log,
      onJob: (job) => finished(job),
    });
    await append(generateEvents(5, 5, 3, 11));
    scheduler.start();
    const first = await scheduler.run('manual');
    expect(first).toMatchObject({ status: 'failed', error: 'warehouse down (test)' });

    // From the documented schedule (README, scheduler): 1 s, 2 s, 4 s … capped at the flush interval.
    for (const delay of [1000, 2000, 4000, 5000, 5000]) {
      const before = await jobCount();
      const next = new Promise<ImportJob>((resolve) => (finished = resolve));
      await letTimePass(delay - 1);
      expect(await jobCount(), `no retry before ${delay} ms`).toBe(before);
      await letTimePass(1);
      expect(await within(next, 10_000, `a retry ${delay} ms after the failure`)).toMatchObject({
        status: 'failed',
        trigger: 'schedule',
      });
    }
    await scheduler.stop();

    const failed = lines.filter((line) => line.msg === 'load failed');
    expect(failed.map((line) => line.retryInMs)).toEqual([1000, 2000, 4000, 5000, 5000, 5000]);
    expect(failed[0]).toMatchObject({
      component: 'scheduler',
      jobId: first.id,
      trigger: 'manual',
      rows: 0,
      durationMs: first.finishedAt! - first.startedAt,
      error: 'warehouse down (test)',
      failures: 1,
    });
    expect(new Set(failed.map((line) => line.jobId)).size).toBe(6);
  });
});

describe('LoadScheduler.stop', () => {
  it('waits for the runs queued behind the load in progress, not only for that load', async () => {
    const loadGate = gate();
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, {
      batchSize: 100,
      afterInsert: () => loadGate.opened,
    });
    const scheduler = new LoadScheduler(loader, { flushIntervalMs: 60_000, batchSize: 100 });
    await append(generateEvents(10, 5, 3, 50));
    const running = scheduler.run('manual');
    const queued = scheduler.run('manual');
    let queuedSettled = false;
    void queued.finally(() => (queuedSettled = true));
    await expect.poll(() => jobCount()).toBeGreaterThan(0);
    const stopped = scheduler.stop();
    loadGate.open();
    await stopped;
    expect(queuedSettled, 'the queued run settled before stop() returned').toBe(true);
    expect(await running).toMatchObject({ status: 'succeeded' });
  });
});

describe('LoadScheduler cadence', () => {
  it('starts a scheduled load every flush interval, however long each takes: no event waits past interval + one load', async () => {
    // Whatever earlier tests left in the backlog goes first.
    await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run('manual');
    const starts: number[] = [];
    let finished: (job: ImportJob) => void = () => undefined;
    let inserting: () => void = () => undefined;
    // Each load spends 400 ms (of the fake clock) inside its insert.
    const slow = withInsert(warehouse, async (table, rows, token) => {
      inserting();
      await new Promise((resolve) => setTimeout(resolve, 400));
      return warehouse.insert(table, rows, token);
    });
    const loader = new Loader(transport, store.catalog, store.importJobs, slow, { batchSize: 100 });
    const scheduler = new LoadScheduler(loader, {
      flushIntervalMs: 1000,
      batchSize: 100,
      onJob: (job) => {
        starts.push(job.startedAt);
        finished(job);
      },
    });
    const origin = Date.now();
    scheduler.start();
    for (let run = 1; run <= 3; run++) {
      await append(generateEvents(5, 5, 3, 30 + run));
      const next = new Promise<ImportJob>((resolve) => (finished = resolve));
      // The load's store writes wait for real fsyncs: its insert starts after some real time.
      const inserted = new Promise<void>((resolve) => (inserting = resolve));
      await letTimePass(origin + run * 1000 - Date.now());
      await within(inserted, 10_000, `load ${run} inserting`);
      await letTimePass(400);
      expect(await within(next, 10_000, `scheduled load ${run}`)).toMatchObject({ status: 'succeeded', rows: 5 });
    }
    await scheduler.stop();
    expect(starts.map((at) => at - origin)).toEqual([1000, 2000, 3000]);
  });
});

describe('LoadScheduler backlog trigger', () => {
  it('runs no load before start() (an api process) however many events arrive; once started it does', async () => {
    const jobs: ImportJob[] = [];
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 });
    const scheduler = new LoadScheduler(loader, {
      flushIntervalMs: 60_000,
      batchSize: 100,
      onJob: (j) => jobs.push(j),
    });
    await append(generateEvents(150, 5, 3, 21));

    // `steplog serve --role api` never starts its scheduler: the events are a loader process's to load.
    scheduler.notifyAppended(150);
    await within(new Promise((resolve) => realSetTimeout(resolve, 1000)), 5000, 'a second');
    expect(jobs, 'loads run by a scheduler never started').toEqual([]);

    scheduler.start();
    scheduler.notifyAppended(150);
    await expect.poll(() => jobs.length, { timeout: 10_000 }).toBeGreaterThan(0);
    expect(jobs[0]).toMatchObject({ status: 'succeeded', trigger: 'backlog' });
    await scheduler.stop();
  });
});
