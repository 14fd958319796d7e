import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { random } from '../../../src/loadgen/random.ts';
import { api, freePort, startServer, tempDataDir, type ServerProcess } from '../../helpers/server.ts';
import { startLoad } from '../load-run.ts';
import { startClickHouse, type ClickHouseServer } from '../servers/clickhouse.ts';

/**
 * Issue 13's "done when" on a private ClickHouse 18.16: `steplog serve` with STEPLOG_CLICKHOUSE_URL
 * migrates it, loads, answers every mart, and `steplog load --events 50000` verifies 0 missing,
 * 0 duplicated, 0 view gaps — with the steplog server killed (kill -9) at random moments of the
 * run until one kill has landed between a warehouse insert and its settle.
 */
const EVENTS = 50_000;
const MAX_KILLS = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let clickhouse: ClickHouseServer | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop('SIGKILL');
  await clickhouse?.destroy();
});

const importJobs = async (url: string) =>
  (await api(url, 'GET', '/api/imports?limit=999')).body.jobs as { status: string; reconciled: number }[];

/** The newest batch the loader formed, read beside the server (SQLite in WAL mode allows it). */
function formedBatches(dataDir: string): () => number {
  let db: SQLite.Database | undefined;
  return () => {
    db ??= new SQLite(path.join(dataDir, 'steplog.sqlite'), { readonly: true, fileMustExist: true });
    return (db.prepare('SELECT coalesce(max(id), 0) AS id FROM outbox_batches').get() as { id: number }).id;
  };
}

describe('steplog on a ClickHouse 18.16 server', () => {
  it(`${EVENTS.toLocaleString('en')} events through kill -9 of steplog: exactly once, marts answered`, async () => {
    clickhouse = await startClickHouse();
    const dataDir = tempDataDir();
    const env = {
      STEPLOG_PORT: String(await freePort()),
      STEPLOG_CLICKHOUSE_URL: clickhouse.url,
      STEPLOG_FLUSH_INTERVAL: '500ms',
      STEPLOG_BATCH_SIZE: '1000',
    };
    server = await startServer(env, dataDir);
    const target = { urls: [server.url], adminKey: server.keys.admin, output: () => server!.output() };
    const run = startLoad(target, EVENTS, [
      ...['--users', '1000', '--tasks', '100', '--days', '20', '--seed', '13'],
      ...['--batch', '500', '--concurrency', '4', '--timeout', '20000', '--trigger-after', '1000'],
    ]);

    const rnd = random(3);
    const formed = formedBatches(dataDir);
    let kills = 0;
    let reconciled = 0;
    while (!run.finished() && reconciled === 0 && kills < MAX_KILLS) {
      // Right after a batch is formed its insert starts: kill within it, or a little later.
      const seen = formed();
      for (const deadline = Date.now() + 10_000; formed() === seen && Date.now() < deadline;) await sleep(2);
      await sleep(kills % 2 === 0 ? rnd() * 30 : 30 + rnd() * 300);
      if (run.finished()) break;
      await server.stop('SIGKILL');
      server = await startServer(env, dataDir);
      kills += 1;
      reconciled = (await importJobs(server.url)).reduce((sum, job) => sum + job.reconciled, 0);
    }
    await run.settle();
    console.info(`${EVENTS} events on ClickHouse 18.16, ${kills} kills of steplog, ${reconciled} rows reconciled`);
    expect(reconciled).toBeGreaterThan(0);

    const range = 'from=2026-01-01&to=2026-12-31';
    for (const route of [
      `/api/marts/users-activity/series?days=7&${range}`,
      `/api/marts/funnel?${range}`,
      `/api/marts/step-difficulty?${range}`,
      `/api/marts/retention?${range}&weeks=4`,
      `/api/stats/events-per-day?${range}`,
      `/api/stats/daily-users?${range}`,
    ]) {
      expect((await api(server.url, 'GET', route)).status, route).toBe(200);
    }
  }, 900_000);
});
