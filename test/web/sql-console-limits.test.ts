import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type ServerProcess } from '../helpers/server.ts';
import { startServerWithAdmin, WebClient } from '../helpers/web-client.ts';

let server: ServerProcess;
let client: WebClient;
const PASSWORD = 'long enough password';
/** Runs about 30 s on one thread, unless a limit stops it. */
const HEAVY = 'SELECT sum(sipHash64(number)) FROM numbers(3000000000)';

const run = (sql: string, signal?: AbortSignal) => client.request('POST', '/admin/sql/run', { json: { sql }, signal });

/** Sends 2,000 events and times the load that moves them into ClickHouse. */
async function timedLoad(offset: number): Promise<number> {
  const events = Array.from({ length: 2_000 }, (_, i) => ({ user_id: 1, step_id: 1, action_id: (offset + i) % 3 }));
  expect((await api(server.url, 'POST', '/api/events/batch', { events })).status).toBe(202);
  const started = performance.now();
  const { status, body } = await api(server.url, 'POST', '/api/imports');
  expect(status).toBe(200);
  expect(body.rows).toBe(2_000);
  return performance.now() - started;
}

beforeAll(async () => {
  const limits = { STEPLOG_SQL_MAX_EXECUTION_TIME: '4s', STEPLOG_SQL_MAX_MEMORY: '100000000' };
  server = await startServerWithAdmin(
    { STEPLOG_FLUSH_INTERVAL: '1h', STEPLOG_SQL_MAX_ROWS_TO_READ: '5000000000', STEPLOG_LOG_LEVEL: 'info', ...limits },
    PASSWORD,
  );
  client = new WebClient(server.url, PASSWORD);
  expect((await client.logIn()).status).toBe(303);
  await client.request('GET', '/admin/sql');
  // The first ids a fresh server assigns: user 1, task 1.
  expect((await api(server.url, 'POST', '/api/users', { name: 'u1' })).body.id).toBe(1);
  expect((await api(server.url, 'POST', '/api/tasks', { title: 't1' })).body.id).toBe(1);
});
afterAll(() => server?.stop());

describe('SQL console limits', () => {
  it('stops a query past max_execution_time', async () => {
    const started = Date.now();
    const answer = await run(HEAVY);
    expect(answer.status).toBe(400);
    expect(answer.text).toMatch(/TIMEOUT_EXCEEDED|Timeout exceeded/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops a query past max_memory_usage and max_rows_to_read', async () => {
    const memory = await run('SELECT groupArray(number) FROM numbers(100000000)');
    expect(memory.text).toMatch(/MEMORY_LIMIT_EXCEEDED|memory limit/i);
    const rows = await run('SELECT count() FROM numbers(6000000000)');
    expect(rows.text).toMatch(/TOO_MANY_ROWS|Limit for rows/i);
  });

  it('cuts results at max_result_rows', async () => {
    const answer = await run('SELECT number FROM numbers(50000)');
    expect(JSON.parse(answer.text), answer.text).toMatchObject({ truncated: true });
    // Every console query is audited: who, what, how long, how many rows.
    const line = server
      .output()
      .split('\n')
      .find((l) => l.includes('"audit":"console_query"') && l.includes('numbers(50000)'));
    expect(JSON.parse(line!)).toMatchObject({ admin: 'root', rows: 50000, ms: expect.any(Number) });
  });

  it('cancels the query in the engine when the client goes away', async () => {
    const gone = new AbortController();
    const pending = run(HEAVY, gone.signal).catch(() => 'aborted');
    await new Promise((resolve) => setTimeout(resolve, 500));
    gone.abort();
    expect(await pending).toBe('aborted');
    // The console may not read system.processes; the server's own CPU time shows whether the engine
    // still computes (the query alone keeps a core busy for about 30 s).
    const cpuSeconds = () => {
      const fields = fs.readFileSync(`/proc/${server.child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(fields[11]) + Number(fields[12])) / 100;
    };
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = cpuSeconds();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(cpuSeconds() - before).toBeLessThan(0.5);
  });

  it('does not hold up a load: a 2,000-row load takes as long with a heavy console query running', async () => {
    const alone = [await timedLoad(0), await timedLoad(1), await timedLoad(2)];
    const heavy = run(HEAVY);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const beside = [await timedLoad(3), await timedLoad(4), await timedLoad(5)];
    await heavy;
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[1]!;
    console.log(
      `2,000-row load: alone ${alone.map(Math.round).join('/')} ms, beside a heavy query ${beside.map(Math.round).join('/')} ms`,
    );
    expect(median(beside)).toBeLessThan(median(alone) * 3 + 200);
  });
});
