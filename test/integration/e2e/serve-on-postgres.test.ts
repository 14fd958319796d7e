import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUserAndStep, runCli, startServer, tempDataDir, type ServerProcess } from '../../helpers/server.ts';
import { serverTarget, startLoad } from '../load-run.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';

let database: TestDatabase;
let server: ServerProcess;
let env: Record<string, string>;
const dataDir = tempDataDir();

beforeAll(async () => {
  database = await createTestDatabase();
  env = { STEPLOG_DATABASE_URL: database.url, STEPLOG_FLUSH_INTERVAL: '200ms', STEPLOG_BATCH_SIZE: '2000' };
  server = await startServer(env, dataDir);
});
afterAll(async () => {
  await server.stop();
  await database.drop();
});

const count = async (table: string): Promise<number> => {
  const client = new pg.Client(database.url);
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
    return Number(rows[0]!.n);
  } finally {
    await client.end();
  }
};

describe('steplog serve on PostgreSQL', () => {
  it('commits events in PostgreSQL and loads each into ClickHouse once; a retry adds nothing', async () => {
    await createUserAndStep(server.url);
    const event = { event_id: '0190a5e1-0000-7000-8000-000000000001', user_id: 1, step_id: 1, action_id: 0 };
    const first = await api(server.url, 'POST', '/api/events', event, server.keys.ingest);
    const retry = await api(server.url, 'POST', '/api/events', event, server.keys.ingest);
    expect([first.status, first.body.duplicate, retry.status, retry.body.duplicate]).toEqual([202, false, 202, true]);
    expect(await count('events')).toBe(1);
    const verified = async () =>
      (await api(server.url, 'POST', '/api/verify/events', { event_ids: [event.event_id] })).body;
    await expect
      .poll(verified, { timeout: 10_000 })
      .toEqual({ events: [{ event_id: event.event_id, rows: 1, copies: 1 }] });
    expect(await count('outbox')).toBe(0);
  });

  it('steplog load --events 20000 finds every event in ClickHouse exactly once, also after a restart', async () => {
    const load = startLoad(serverTarget(server), 20_000);
    await load.settle();
    expect(await count('events')).toBe(20_001);

    await server.stop();
    server = await startServer(env, dataDir);
    const again = await runCli(
      ['load', '--verify-only', '--url', server.url, '--manifest', load.manifest, '--json', load.report],
      { STEPLOG_API_KEY: server.keys.admin },
    );
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(JSON.parse(fs.readFileSync(load.report, 'utf8'))).toMatchObject({ ok: true, missing: 0, duplicated: 0 });
  });
});
