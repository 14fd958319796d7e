import { loadAverage, round, type Figure } from '../lib/report.ts';
import {
  batchBody,
  EVENT,
  emptyServerWarehouse,
  freshDatabase,
  hammerSpread,
  queryPg,
  sleep,
  startRoles,
  until,
  warehouseEvents,
  type BenchServers,
} from '../lib/topology.ts';

const EVENTS = Number(process.env.BENCH_TOPOLOGY_EVENTS ?? 200_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Run {
  readonly singlePerSecond: number;
  readonly singleP99: number;
  readonly singleLoad: number;
  readonly batchPerSecond: number;
  readonly batchLoad: number;
  /** From the first batch request to the last event in ClickHouse. */
  readonly loadedSeconds: number;
  /** From the last acknowledged batch to the last event in ClickHouse. */
  readonly drainSeconds: number;
  readonly loadedLoad: number;
}

/**
 * The production topology (PostgreSQL, RabbitMQ, the ClickHouse server) as one api + one loader
 * and as two of each, loaders consuming while the apis ingest: single events at 32 connections for
 * BENCH_SECONDS, then, once that is loaded, BENCH_TOPOLOGY_EVENTS events in batches of 1,000 at 8
 * connections, the load spread evenly over the api URLs; events/s acknowledged, and the time until
 * every event of the batch load is in ClickHouse.
 */
export async function scalePhase(servers: BenchServers): Promise<Figure[]> {
  const measure = async (n: number): Promise<Run> => {
    const database = await freshDatabase(servers.postgres);
    await emptyServerWarehouse(servers.clickhouse);
    const roles = await startRoles(
      { apis: n, loaders: n },
      {
        STEPLOG_DATABASE_URL: database.url,
        STEPLOG_CLICKHOUSE_URL: servers.clickhouse.url,
        STEPLOG_AMQP_URL: servers.amqpUrl,
        STEPLOG_FLUSH_INTERVAL: '1s',
        STEPLOG_BATCH_SIZE: '10000',
        STEPLOG_MAX_BACKLOG: '100000000',
        STEPLOG_MEMORY_LIMIT: String(4 * 1024 ** 3),
      },
    );
    const urls = roles.apis.map((api) => api.url);
    const committed = async () =>
      Number((await queryPg<{ n: string }>(database.url, 'SELECT count(*) AS n FROM events'))[0]!.n);
    try {
      const single = await hammerSpread(
        urls,
        { path: '/api/events', body: JSON.stringify(EVENT), eventsPerRequest: 1, connections: 32, seconds: SECONDS },
        roles.keys.ingest,
      );
      const singleLoad = loadAverage();
      // Requests in flight when the load stopped may commit after it: let them, then load what PostgreSQL holds.
      await sleep(1000);
      const before = await committed();
      await until('the single events in ClickHouse', async () => (await warehouseEvents(servers.clickhouse)) >= before);
      if ((await warehouseEvents(servers.clickhouse)) !== before)
        throw new Error(`${n}+${n}: single events ≠ ${before}`);
      const started = performance.now();
      const batch = await hammerSpread(
        urls,
        {
          path: '/api/events/batch',
          body: batchBody(1000),
          eventsPerRequest: 1000,
          connections: 8,
          requests: EVENTS / 1000,
        },
        roles.keys.ingest,
      );
      if (batch.accepted !== EVENTS) throw new Error(`${n}+${n}: ${batch.accepted} of ${EVENTS} accepted`);
      const acknowledged = performance.now();
      const batchLoad = loadAverage();
      await until(
        'the batch load in ClickHouse',
        async () => (await warehouseEvents(servers.clickhouse)) >= before + EVENTS,
      );
      const loaded = performance.now();
      const inWarehouse = await warehouseEvents(servers.clickhouse);
      if (inWarehouse !== before + EVENTS)
        throw new Error(`${n}+${n}: ClickHouse holds ${inWarehouse} of ${before + EVENTS}`);
      return {
        singlePerSecond: single.eventsPerSecond,
        singleP99: single.p99,
        singleLoad,
        batchPerSecond: batch.eventsPerSecond,
        batchLoad,
        loadedSeconds: (loaded - started) / 1000,
        drainSeconds: (loaded - acknowledged) / 1000,
        loadedLoad: loadAverage(),
      };
    } finally {
      await roles.stop();
      await database.drop();
    }
  };
  const one = await measure(1);
  const two = await measure(2);
  const phase = 'topology: 2 api + 2 loader vs 1 + 1';
  return [
    {
      phase,
      measure: 'single event, 32 conn spread over the apis (loaders consuming)',
      steplog: round(two.singlePerSecond),
      baseline: round(one.singlePerSecond),
      unit: 'events/s',
      loadAverage: two.singleLoad,
      baselineLoadAverage: one.singleLoad,
      note: `p99 ${two.singleP99} ms vs ${one.singleP99} ms`,
    },
    {
      phase,
      measure: `batch of 1,000, 8 conn spread over the apis, ${EVENTS.toLocaleString('en')} events`,
      steplog: round(two.batchPerSecond),
      baseline: round(one.batchPerSecond),
      unit: 'events/s',
      loadAverage: two.batchLoad,
      baselineLoadAverage: one.batchLoad,
    },
    {
      phase,
      measure: `first request → all ${EVENTS.toLocaleString('en')} in ClickHouse`,
      steplog: round(two.loadedSeconds, 2),
      baseline: round(one.loadedSeconds, 2),
      unit: 's',
      loadAverage: two.loadedLoad,
      baselineLoadAverage: one.loadedLoad,
      note: `after the last 2xx: ${round(two.drainSeconds, 2)} s vs ${round(one.drainSeconds, 2)} s to drain`,
    },
  ];
}
