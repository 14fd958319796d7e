import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Loader } from '../../src/loader/loader.ts';
import { LoadScheduler } from '../../src/loader/scheduler.ts';
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
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toEqual(['load inserted']);

    loadGate.open();
    await firstLoad;
    await expect.poll(() => steps).toEqual(['load inserted', 'exclusive started']);

    await append(generateEvents(10, 5, 3, 2));
    const secondLoad = scheduler.run('manual');
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toEqual(['load inserted', 'exclusive started']);

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
