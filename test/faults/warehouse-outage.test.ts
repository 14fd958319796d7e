import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidFor } from '../helpers/fixtures.ts';
import { api, createUserAndStep, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

const dataDir = tempDataDir();
const downFile = path.join(dataDir, 'warehouse-down');
let server: ServerProcess;
let next = 0;

/** 100 new events in one request. */
const batch = () =>
  api(server.url, 'POST', '/api/events/batch', {
    events: Array.from({ length: 100 }, () => ({ event_id: uuidFor(++next), user_id: 1, step_id: 1, action_id: 0 })),
  });
const backlog = async () => (await api(server.url, 'GET', '/healthz')).body.backlog as number;
const jobs = async () => (await api(server.url, 'GET', '/api/imports?limit=100')).body.jobs as Record<string, any>[];

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 30_000; ;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  server = await startServer(
    { STEPLOG_MAX_BACKLOG: '300', STEPLOG_BATCH_SIZE: '50', STEPLOG_FLUSH_INTERVAL: '5s' },
    dataDir,
    { warehouseDownFile: downFile },
  );
  await createUserAndStep(server.url);
});
afterAll(async () => {
  await server.stop();
});

describe('the warehouse failing for a while', () => {
  it('keeps accepting into the backlog up to its bound, then answers 503 and writes nothing', async () => {
    fs.writeFileSync(downFile, '');
    for (let i = 0; i < 3; i++) expect((await batch()).body.accepted).toBe(100);

    const refused = await batch();
    expect(refused.status).toBe(503);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({ error: 'backlog_full' });
    const single = await api(server.url, 'POST', '/api/events', {
      event_id: uuidFor(++next),
      user_id: 1,
      step_id: 1,
      action_id: 1,
    });
    expect(single.status).toBe(503);
    expect(await backlog()).toBe(300);
  });

  it('records every failed import job with its error and retries on the back-off schedule', async () => {
    // The documented schedule with STEPLOG_FLUSH_INTERVAL=5s: 1 s, 2 s, 4 s, then every 5 s.
    const schedule = [1000, 2000, 4000, 5000];
    const enough = (list: Record<string, any>[]) => list.filter((j) => j.status === 'failed').length > schedule.length;
    const failures = (await until('failed jobs', jobs, enough)).filter((j) => j.status === 'failed').reverse();
    for (const job of failures) expect(job.error).toMatch(/warehouse down/);
    // Nothing else starts a load while it fails (the backlog trigger waits for a success): each
    // retry starts its delay after the previous failure finished, plus the time to start a run.
    const waits = failures
      .slice(1, schedule.length + 1)
      .map((job, i) => Date.parse(job.started_at) - Date.parse(failures[i]!.finished_at));
    waits.forEach((wait, i) => {
      expect(wait, `retry ${i + 1}`).toBeGreaterThanOrEqual(schedule[i]! - 2);
      expect(wait, `retry ${i + 1}`).toBeLessThan(schedule[i]! + 750);
    });
  });

  it('drains the backlog once the warehouse heals, and accepts again', async () => {
    fs.rmSync(downFile);
    await until('backlog', backlog, (events) => events === 0);
    // The newest finished job drained it (a scheduled one may have begun since, still running).
    const finished = await until('a finished job', jobs, (list) => list.some((job) => job.status !== 'running'));
    expect(finished.find((job) => job.status !== 'running')).toMatchObject({ status: 'succeeded', error: null });
    await until('accepting', batch, (answer) => answer.status === 202);

    const ids = Array.from({ length: 300 }, (_, i) => uuidFor(i + 1));
    const { body } = await api(server.url, 'POST', '/api/verify/events', { event_ids: ids });
    expect(body.events).toHaveLength(300);
    expect(body.events.every((e: { copies: number }) => e.copies === 1)).toBe(true);
  });
});
