import { afterAll, describe, expect, it } from 'vitest';
import { api, freePort, startServer, tempDataDir, type ServerProcess } from '../../helpers/server.ts';
import { serverTarget, startLoad } from '../load-run.ts';
import { startClickHouseCluster, type ClickHouseCluster } from '../servers/clickhouse-cluster.ts';
import type { ClickHouseServer } from '../servers/clickhouse.ts';

/**
 * Issue 13's cluster fault test: two 18.16 replicas on one ZooKeeper, `steplog serve` with both
 * in STEPLOG_CLICKHOUSE_URL and the cluster in STEPLOG_CLICKHOUSE_CLUSTER. The replica steplog
 * writes to is killed (-9) in the middle of `steplog load --events 50000` and restarted later. The verifier must
 * find every event once, each replica (once caught up) must hold every event once, the marts'
 * tables must be equal on both, and marts must be served while a replica is down. Then the same
 * for the other replica, which steplog has been writing to since the first failed.
 */
const EVENTS = 50_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let cluster: ClickHouseCluster | undefined;
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop('SIGKILL');
  await cluster?.destroy();
});

const scalar = async (replica: ClickHouseServer, sql: string) => Number((await replica.query(sql)).trim());

/** Every table that replicates, in the order a load fills them. */
const TABLES = ['events', 'event_deliveries', 'activity_daily', 'cohort_daily', 'step_daily', 'step_progress'];

/** Each aggregate table read in full with its states merged: what every mart is computed from. */
const MART_SOURCES = [
  'SELECT day, action_id, is_guest, uniqExactMerge(user_states), countMerge(event_states) FROM steplog.activity_daily GROUP BY day, action_id, is_guest ORDER BY day, action_id, is_guest',
  'SELECT day, join_day, uniqExactMerge(user_states) FROM steplog.cohort_daily GROUP BY day, join_day ORDER BY day, join_day',
  'SELECT day, step_id, action_id, uniqExactMerge(user_states), countMerge(event_states) FROM steplog.step_daily GROUP BY day, step_id, action_id ORDER BY day, step_id, action_id',
  'SELECT step_id, user_id, minIfMerge(first_view_ms), minIfMerge(first_submit_ms), minIfMerge(first_solve_ms) FROM steplog.step_progress GROUP BY step_id, user_id ORDER BY step_id, user_id',
];

const MART_ROUTE = '/api/marts/users-activity/series?days=7&from=2026-01-01&to=2026-12-31';

describe('steplog on a 2-replica ClickHouse 18.16 cluster', () => {
  it(`${EVENTS.toLocaleString('en')} events through kill -9 of each replica in turn: exactly once on each replica, marts equal, reads served`, async () => {
    cluster = await startClickHouseCluster();
    const [first, second] = cluster.replicas;
    const env = {
      STEPLOG_PORT: String(await freePort()),
      STEPLOG_CLICKHOUSE_URL: cluster.urls,
      STEPLOG_CLICKHOUSE_CLUSTER: cluster.name,
      STEPLOG_CLICKHOUSE_TIMEOUT: '30s',
      STEPLOG_FLUSH_INTERVAL: '500ms',
      STEPLOG_BATCH_SIZE: '1000',
    };
    server = await startServer(env, tempDataDir());
    for (const replica of cluster.replicas) {
      const engines = await replica.query(
        `SELECT engine FROM system.tables WHERE database = 'steplog' AND name IN (${TABLES.map((t) => `'${t}'`).join(', ')})`,
      );
      expect(engines.trim().split('\n'), replica.url).toEqual(TABLES.map(() => expect.stringMatching(/^Replicated/)));
    }

    const run = startLoad(serverTarget(server), EVENTS, [
      ...['--users', '1000', '--tasks', '100', '--days', '20', '--seed', '13'],
      ...['--batch', '500', '--concurrency', '4', '--timeout', '60000', '--trigger-after', '1000'],
    ]);

    // steplog writes to the first replica listed until it fails, then to the other: kill the one
    // being written to while loads run into it, then (once it is back) the other one.
    const outages: string[] = [];
    const count = (replica: ClickHouseServer) => scalar(replica, 'SELECT count() FROM steplog.events');
    for (const [victim, survivor, threshold] of [
      [first, second, EVENTS / 5],
      [second, first, EVENTS / 2],
    ] as const) {
      for (const deadline = Date.now() + 240_000; (await count(victim)) < threshold; await sleep(20)) {
        if (Date.now() > deadline) throw new Error(`loads did not reach ${victim.url}:\n${server.output()}`);
      }
      await victim.kill();
      const atKill = await count(survivor);
      // Down: marts are served from the other replica.
      const whileDown = await api(server.url, 'GET', MART_ROUTE);
      expect(whileDown.status, JSON.stringify(whileDown.body)).toBe(200);
      // Loads go on into the other replica, unless a batch in doubt waits for a part only the dead one holds.
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; await sleep(200)) {
        if ((await count(survivor)) >= atKill + 5_000) break;
      }
      outages.push(
        `${atKill} events on the survivor at the kill, ${(await count(survivor)) - atKill} loaded while down`,
      );
      await victim.start();
    }

    await run.settle();

    const answers: string[][] = [];
    for (const replica of cluster.replicas) {
      for (const table of TABLES) await replica.query(`SYSTEM SYNC REPLICA steplog.${table}`);
      expect(await scalar(replica, 'SELECT count() FROM steplog.events FINAL'), replica.url).toBe(EVENTS);
      expect(await scalar(replica, 'SELECT count() FROM steplog.events'), replica.url).toBe(EVENTS);
      const copies = await replica.query(
        'SELECT count(), min(c), max(c) FROM (SELECT event_id, sum(copies) AS c FROM steplog.event_deliveries GROUP BY event_id)',
      );
      expect(copies.trim(), replica.url).toBe(`${EVENTS}\t1\t1`);
      answers.push(await Promise.all(MART_SOURCES.map((sql) => replica.query(sql))));
    }
    expect(answers[0]!.map((a) => a.length)).toEqual(answers[1]!.map((a) => a.length));
    expect(answers[0]).toEqual(answers[1]);
    console.info(`${EVENTS} events on a 2-replica cluster, each replica killed once: ${outages.join('; ')}`);
    expect((await api(server.url, 'GET', MART_ROUTE)).status).toBe(200);
  }, 900_000);
});
