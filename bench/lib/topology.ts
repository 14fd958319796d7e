import fs from 'node:fs';
import autocannon from 'autocannon';
import pg from 'pg';
import { api, readFirstKeys, tempDataDir, type FirstKeys } from '../../test/helpers/server.ts';
import type { ClickHouseServer } from '../../test/integration/servers/clickhouse.ts';
import type { PostgresCluster } from '../../test/integration/servers/postgres-cluster.ts';
import { roleProcess, type RoleProcess } from '../../test/integration/topology.ts';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The servers every topology phase shares: a private PostgreSQL cluster, RabbitMQ node and ClickHouse server. */
export interface BenchServers {
  readonly postgres: PostgresCluster;
  readonly amqpUrl: string;
  readonly clickhouse: ClickHouseServer;
}

/** An empty database of its own on the private cluster, so each measurement starts from the same empty store. */
export async function freshDatabase(cluster: PostgresCluster): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6)}`;
  const admin = async (statement: string) => {
    const client = new pg.Client(cluster.url);
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE ${name}`);
  return {
    url: cluster.url.replace(/\/[^/]+$/, `/${name}`),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** One statement on a database, its rows. */
export async function queryPg<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

/** `steplog.events` rows in the ClickHouse server, seen past steplog. */
export const warehouseEvents = async (clickhouse: ClickHouseServer): Promise<number> =>
  Number((await clickhouse.query('SELECT count() FROM steplog.events')).trim());

/** Empties every steplog table of the server but the migration ledger: the raw tables, their views' and the delivery ledger. */
export async function emptyServerWarehouse(clickhouse: ClickHouseServer): Promise<void> {
  const tables = (
    await clickhouse.query(
      `SELECT name FROM system.tables WHERE database = 'steplog' AND engine LIKE '%MergeTree' AND name != 'schema_migrations'`,
    )
  )
    .split('\n')
    .filter(Boolean);
  for (const name of tables) await clickhouse.query(`TRUNCATE TABLE steplog.${name}`);
}

/** Polls until `check` holds; fails after `timeoutMs` with `what`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 300_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await check()); await sleep(50)) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
  }
}

/** `apis` api and `loaders` loader processes sharing one data dir (the first keys) and `env`. */
export interface RoleSet {
  readonly apis: RoleProcess[];
  readonly loaders: RoleProcess[];
  readonly keys: FirstKeys;
  /** Starts one more loader beside them. */
  addLoader(): Promise<RoleProcess>;
  /** SIGTERM to every process (a clean stop), then the data dir goes. */
  stop(): Promise<void>;
}

export async function startRoles(
  counts: { apis: number; loaders: number },
  env: Record<string, string>,
): Promise<RoleSet> {
  const dataDir = tempDataDir('steplog-bench-topology-');
  const started: RoleProcess[] = [];
  const stop = async () => {
    for (const process of started) await process.stop('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  // A loader says it is up in an info line; apis log warnings only.
  const addLoader = async () => {
    const loader = await roleProcess('loader', { ...env, STEPLOG_LOG_LEVEL: 'info', STEPLOG_DATA_DIR: dataDir });
    started.push(loader);
    return loader;
  };
  try {
    // The first api migrates the store and writes the keys; the others start beside it.
    const apis: RoleProcess[] = [];
    for (let i = 0; i < counts.apis; i++) {
      apis.push(await roleProcess('api', { STEPLOG_LOG_LEVEL: 'warn', ...env, STEPLOG_DATA_DIR: dataDir }));
      started.push(apis.at(-1)!);
    }
    const keys = readFirstKeys(dataDir);
    await createUserAndStep(apis[0]!.url, keys.admin);
    const loaders: RoleProcess[] = [];
    for (let i = 0; i < counts.loaders; i++) loaders.push(await addLoader());
    return { apis, loaders, keys, addLoader, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** User 1 and step 1, which every bench event names (ids are the server's). */
async function createUserAndStep(base: string, adminKey: string): Promise<void> {
  for (const [route, body] of [
    ['/api/users', { name: 'Bench User' }],
    ['/api/tasks', { title: 'Step 1' }],
  ] as const) {
    const { status, body: created } = await api<{ id?: number }>(base, 'POST', route, body, adminKey);
    if (status !== 201 || created.id !== 1) throw new Error(`POST ${route}: ${status} ${JSON.stringify(created)}`);
  }
}

export const EVENT = { user_id: 1, step_id: 1, action_id: 0 };
export const batchBody = (size: number) =>
  JSON.stringify({ events: Array.from({ length: size }, (_, i) => ({ ...EVENT, action_id: i % 3 })) });

export interface SpreadLoad {
  readonly path: '/api/events' | '/api/events/batch';
  readonly body: string;
  readonly eventsPerRequest: number;
  /** In flight over all URLs, split evenly among them. */
  readonly connections: number;
  /** Seconds of load, or a fixed number of requests over all URLs. */
  readonly seconds?: number;
  readonly requests?: number;
}

/**
 * The same load spread over several api URLs (one autocannon per URL, the connections and
 * requests split evenly), as `steplog load --url A --url B` spreads its own: events the servers
 * acknowledged, per second of wall time, and the worst p99.
 */
export async function hammerSpread(urls: readonly string[], load: SpreadLoad, key: string) {
  const started = performance.now();
  const results = await Promise.all(
    urls.map((url) =>
      autocannon({
        url: `${url}${load.path}`,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: load.body,
        connections: Math.max(1, Math.round(load.connections / urls.length)),
        ...(load.requests === undefined
          ? { duration: load.seconds ?? 5 }
          : { amount: Math.ceil(load.requests / urls.length) }),
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const ok = results.reduce((sum, r) => sum + r.requests.total - r.non2xx - r.errors, 0);
  const failed = results.reduce((sum, r) => sum + r.non2xx + r.errors, 0);
  return {
    accepted: ok * load.eventsPerRequest,
    seconds,
    eventsPerSecond: (ok * load.eventsPerRequest) / seconds,
    p99: Math.max(...results.map((r) => r.latency.p99)),
    failed,
  };
}
