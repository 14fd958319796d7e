import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUserAndStep, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

const dataDir = tempDataDir();
const downFile = path.join(dataDir, 'warehouse-down');
let server: ServerProcess;

const readyz = () => api(server.url, 'GET', '/readyz', undefined, null);

async function until<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 30_000; ;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1s' }, dataDir, { warehouseDownFile: downFile });
  await createUserAndStep(server.url);
});
afterAll(() => server?.stop());

describe('/readyz', () => {
  it('is 200 without a key while steplog can do its job', async () => {
    expect(await readyz()).toMatchObject({ status: 200, body: { status: 'ready', reasons: [] } });
  });

  it('is 503 with every reason while the warehouse is down, loads fail and the backlog ages; /healthz stays 200', async () => {
    fs.writeFileSync(downFile, '');
    const event = { user_id: 1, step_id: 1, action_id: 0 };
    expect((await api(server.url, 'POST', '/api/events', event)).status).toBe(202);
    // Loads retry after 1 s, 1 s, 2 s (back-off capped at the flush interval): three failures within ~5 s.
    const down = await until('readyz names every reason', readyz, (answer) => answer.body.reasons.length === 3);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not_ready');
    const [failedLoads, unreachable, aged] = down.body.reasons as string[];
    expect(failedLoads).toMatch(/^the last 3 loads failed: /);
    expect(unreachable).toMatch(/^the warehouse cannot be reached: /);
    expect(aged).toMatch(/^the oldest undelivered event is \d+ s old \(bound 3 s\)$/);
    expect((await api(server.url, 'GET', '/healthz', undefined, null)).status).toBe(200);
  });

  it('is ready again once the warehouse is back and the backlog drained', async () => {
    fs.rmSync(downFile);
    const back = await until('readyz recovers', readyz, (answer) => answer.status === 200);
    expect(back.body).toEqual({ status: 'ready', reasons: [] });
    expect((await api(server.url, 'GET', '/healthz')).body.backlog).toBe(0);
  });
});
