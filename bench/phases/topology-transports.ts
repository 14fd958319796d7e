import { loadAverage, round, type Figure } from '../lib/report.ts';
import {
  batchBody,
  emptyServerWarehouse,
  freshDatabase,
  hammerSpread,
  queryPg,
  startRoles,
  until,
  warehouseEvents,
  type BenchServers,
} from '../lib/topology.ts';

const EVENTS = Number(process.env.BENCH_TOPOLOGY_EVENTS ?? 200_000);
/** The loader's batch and the relay's segment: one message is one batch. */
const BATCH = 10_000;
/** Each transport measured this many times, alternating. */
const ROUNDS = Number(process.env.BENCH_TOPOLOGY_ROUNDS ?? 3);

const count = async (url: string, sql: string) => Number((await queryPg<{ n: string }>(url, sql))[0]!.n);
/** Outbox rows whose segment the relay has not had confirmed yet (never formed, or formed and unconfirmed). */
const UNPUBLISHED =
  'SELECT count(*) AS n FROM outbox LEFT JOIN outbox_batches b ON b.id = outbox.batch_id WHERE b.published_at IS NULL';

/**
 * One loader process moving the same backlog of BENCH_TOPOLOGY_EVENTS events from PostgreSQL into
 * the same ClickHouse server, through RabbitMQ against through the outbox. The backlog is made by
 * an api process (batches of 1,000), which, with RabbitMQ, also publishes it (its relay); the api
 * stops, then the loader starts. Throughput is the import jobs' rows over their span (first job's
 * start to last job's end, as the loader recorded them in PostgreSQL).
 */
export async function transportsPhase(servers: BenchServers): Promise<Figure[]> {
  const measure = async (transport: 'outbox' | 'rabbitmq') => {
    const database = await freshDatabase(servers.postgres);
    await emptyServerWarehouse(servers.clickhouse);
    const roles = await startRoles(
      { apis: 1, loaders: 0 },
      {
        STEPLOG_DATABASE_URL: database.url,
        STEPLOG_CLICKHOUSE_URL: servers.clickhouse.url,
        ...(transport === 'rabbitmq' ? { STEPLOG_AMQP_URL: servers.amqpUrl } : {}),
        STEPLOG_FLUSH_INTERVAL: '1s',
        STEPLOG_BATCH_SIZE: String(BATCH),
        STEPLOG_MAX_BACKLOG: '100000000',
        STEPLOG_MEMORY_LIMIT: String(4 * 1024 ** 3),
      },
    );
    try {
      const body = {
        path: '/api/events/batch',
        body: batchBody(1000),
        eventsPerRequest: 1000,
        connections: 8,
      } as const;
      const ingest = await hammerSpread([roles.apis[0]!.url], { ...body, requests: EVENTS / 1000 }, roles.keys.ingest);
      if (ingest.accepted !== EVENTS) throw new Error(`backlog: ${ingest.accepted} of ${EVENTS} accepted`);
      if (transport === 'rabbitmq')
        await until('the relay to publish the backlog', async () => (await count(database.url, UNPUBLISHED)) === 0);
      await roles.apis[0]!.stop();
      // An api process runs no load: the backlog is all the loader's to move.
      const apiJobs = await count(database.url, 'SELECT count(*) AS n FROM import_jobs');
      if (apiJobs > 0) throw new Error(`${transport}: the api process ran ${apiJobs} loads`);
      const loadAverageBefore = loadAverage();
      const started = performance.now();
      await roles.addLoader();
      await until('the backlog in ClickHouse', async () => (await warehouseEvents(servers.clickhouse)) >= EVENTS);
      const wallSeconds = (performance.now() - started) / 1000;
      const loadAverageAfter = loadAverage();
      await until(
        'the outbox to be settled',
        async () => (await count(database.url, 'SELECT count(*) AS n FROM outbox')) === 0,
      );
      // The loader's last run records its end just after settling its last batch.
      await until(
        'the last load to end',
        async () => (await count(database.url, `SELECT count(*) AS n FROM import_jobs WHERE status = 'running'`)) === 0,
      );
      const [jobs] = await queryPg<{ rows: string; first: string; last: string; runs: string }>(
        database.url,
        `SELECT sum(rows) AS rows, min(started_at) AS first, max(finished_at) AS last, count(*) AS runs
         FROM import_jobs WHERE rows > 0`,
      );
      const loaded = await warehouseEvents(servers.clickhouse);
      if (Number(jobs!.rows) !== EVENTS || loaded !== EVENTS) {
        throw new Error(`${transport}: jobs loaded ${jobs!.rows}, ClickHouse holds ${loaded}, of ${EVENTS}`);
      }
      const seconds = (Number(jobs!.last) - Number(jobs!.first)) / 1000;
      return {
        rowsPerSecond: EVENTS / seconds,
        seconds,
        wallSeconds,
        runs: Number(jobs!.runs),
        loadAverageBefore,
        loadAverageAfter,
      };
    } finally {
      await roles.stop();
      await database.drop();
    }
  };
  // Alternated, best of ROUNDS each: other work on the machine only ever slows a round down.
  type Round = Awaited<ReturnType<typeof measure>>;
  const rounds: { outbox: Round[]; rabbitmq: Round[] } = { outbox: [], rabbitmq: [] };
  for (let i = 0; i < ROUNDS; i++) {
    rounds.outbox.push(await measure('outbox'));
    rounds.rabbitmq.push(await measure('rabbitmq'));
  }
  const best = (all: Round[]) => all.reduce((a, b) => (b.rowsPerSecond > a.rowsPerSecond ? b : a));
  const [outbox, rabbit] = [best(rounds.outbox), best(rounds.rabbitmq)];
  const each = (all: Round[]) =>
    all.map((r) => `${round(r.rowsPerSecond).toLocaleString('en')} (load ${r.loadAverageAfter})`);
  return [
    {
      phase: 'topology: transport',
      measure: `loader, backlog of ${EVENTS.toLocaleString('en')} (PostgreSQL) → ClickHouse server, RabbitMQ vs outbox`,
      steplog: round(rabbit.rowsPerSecond),
      baseline: round(outbox.rowsPerSecond),
      unit: 'rows/s',
      loadAverage: rabbit.loadAverageAfter,
      baselineLoadAverage: outbox.loadAverageAfter,
      note:
        `best of ${ROUNDS}, alternated: RabbitMQ ${each(rounds.rabbitmq).join(', ')}; outbox ${each(rounds.outbox).join(', ')} rows/s. ` +
        `Best: jobs' span ${round(rabbit.seconds, 1)} s vs ${round(outbox.seconds, 1)} s (loader start → all in ClickHouse ` +
        `${round(rabbit.wallSeconds, 1)} s vs ${round(outbox.wallSeconds, 1)} s), batches of ${BATCH.toLocaleString('en')}, ` +
        `${rabbit.runs} vs ${outbox.runs} runs`,
    },
  ];
}
