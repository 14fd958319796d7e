import { api } from '../../test/helpers/server.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';
import { startSteplog } from '../lib/servers.ts';
import { batchBody, EVENT, freshDatabase, hammerSpread, type BenchServers, type SpreadLoad } from '../lib/topology.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** Ingest alone: the loader out of the way (1 h interval, no batch trigger, room for any backlog). */
const IDLE_LOADER = {
  STEPLOG_FLUSH_INTERVAL: '1h',
  STEPLOG_BATCH_SIZE: '1000000',
  STEPLOG_MEMORY_LIMIT: String(8 * 1024 ** 3),
  STEPLOG_MAX_BACKLOG: '100000000',
};

/**
 * Single-event (32 connections) and batch ingest (1,000 a request, 8 connections) of one
 * `steplog serve` on PostgreSQL (a fresh database on the private cluster) against the same on
 * SQLite, each load on a fresh, empty store; the outbox transport and the same ClickHouse server
 * for both. The two stores alternate per load so drift in the machine's load hits both alike.
 */
export async function storesPhase(servers: BenchServers): Promise<Figure[]> {
  const loads: (SpreadLoad & { name: string })[] = [
    {
      name: 'single event, 32 conn',
      path: '/api/events',
      body: JSON.stringify(EVENT),
      eventsPerRequest: 1,
      connections: 32,
    },
    {
      name: 'batch of 1,000, 8 conn',
      path: '/api/events/batch',
      body: batchBody(1000),
      eventsPerRequest: 1000,
      connections: 8,
    },
  ];
  const figures: Figure[] = [];
  for (const load of loads) {
    const measure = async (store: 'sqlite' | 'postgres') => {
      const database = store === 'postgres' ? await freshDatabase(servers.postgres) : undefined;
      const server = await startSteplog({
        ...IDLE_LOADER,
        STEPLOG_CLICKHOUSE_URL: servers.clickhouse.url,
        ...(database ? { STEPLOG_DATABASE_URL: database.url } : {}),
      });
      try {
        const probe = await api<{ rejected?: number }>(server.url, 'POST', load.path, load.body, server.keys.ingest);
        if (probe.status !== 202 || (probe.body.rejected ?? 0) > 0) {
          throw new Error(
            `${load.name}: the bench's events are refused: ${probe.status} ${JSON.stringify(probe.body)}`,
          );
        }
        const run = await hammerSpread([server.url], { ...load, seconds: SECONDS }, server.keys.ingest);
        return { ...run, loadAverage: loadAverage() };
      } finally {
        await server.stop();
        await database?.drop();
      }
    };
    const sqlite = await measure('sqlite');
    const postgres = await measure('postgres');
    figures.push({
      phase: 'topology: store',
      measure: `${load.name}, PostgreSQL vs SQLite`,
      steplog: round(postgres.eventsPerSecond),
      baseline: round(sqlite.eventsPerSecond),
      unit: 'events/s',
      loadAverage: postgres.loadAverage,
      baselineLoadAverage: sqlite.loadAverage,
      note:
        `p99 ${postgres.p99} ms vs ${sqlite.p99} ms` +
        `${postgres.failed + sqlite.failed ? `; failed ${postgres.failed} vs ${sqlite.failed}` : ''}`,
    });
  }
  return figures;
}
