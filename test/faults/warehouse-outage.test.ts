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

  it('records every failed import job with its error and backs off between retries', async () => {
    const failed = await until('failed jobs', jobs, (list) => list.filter((j) => j.status === 'failed').length >= 3);
    const failures = failed.filter((j) => j.status === 'failed').reverse();
    for (const job of failures) expect(job.error).toMatch(/warehouse down/);
    const starts = failures.map((j) => Date.parse(j.started_at));
    const gaps = starts.slice(1).map((start, i) => start - starts[i]!);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
  });

  it('drains the backlog once the warehouse heals, and accepts again', async () => {
    fs.rmSync(downFile);
    await until('backlog', backlog, (events) => events === 0);
    expect((await jobs())[0]).toMatchObject({ status: 'succeeded', error: null });
    await until('accepting', batch, (answer) => answer.status === 202);

    const ids = Array.from({ length: 300 }, (_, i) => uuidFor(i + 1));
    const { body } = await api(server.url, 'POST', '/api/verify/events', { event_ids: ids });
    expect(body.events).toHaveLength(300);
    expect(body.events.every((e: { copies: number }) => e.copies === 1)).toBe(true);
  });
});
