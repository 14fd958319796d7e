import path from 'node:path';
import { startClickHouse } from '../test/integration/servers/clickhouse.ts';
import { startPostgresCluster } from '../test/integration/servers/postgres-cluster.ts';
import { startRabbitNode } from '../test/integration/servers/rabbitmq.ts';
import { round, writeResults, type Figure } from './lib/report.ts';
import { figureTable } from './lib/table.ts';
import type { BenchServers } from './lib/topology.ts';
import { scalePhase } from './phases/topology-scale.ts';
import { storesPhase } from './phases/topology-stores.ts';
import { transportsPhase } from './phases/topology-transports.ts';

/**
 * `npm run bench:topology`: the production topology's figures as same-run ratios, on a private
 * PostgreSQL cluster, RabbitMQ node and ClickHouse server this script starts (and removes after),
 * with real `steplog serve` processes: ingest on PostgreSQL vs SQLite; one loader moving a
 * backlog through RabbitMQ vs through the outbox; one api + one loader vs two of each. Writes
 * bench/results/<date>-topology.json.
 */
const started = Date.now();
const log = (message: string) => console.error(`[bench +${round((Date.now() - started) / 1000)} s] ${message}`);
const figures: Figure[] = [];

log('starting a private PostgreSQL cluster, RabbitMQ node and ClickHouse server');
const [postgres, broker, clickhouse] = await Promise.all([
  startPostgresCluster(),
  startRabbitNode(),
  startClickHouse(),
]);
const servers: BenchServers = { postgres, amqpUrl: broker.url, clickhouse };
try {
  log('store: single-event and batch ingest, PostgreSQL vs SQLite');
  figures.push(...(await storesPhase(servers)));
  log('transport: one loader moving a backlog, RabbitMQ vs outbox');
  figures.push(...(await transportsPhase(servers)));
  log('scale: 2 api + 2 loader vs 1 + 1');
  figures.push(...(await scalePhase(servers)));
} finally {
  await Promise.allSettled([postgres.destroy(), broker.destroy(), clickhouse.destroy()]);
}

console.log(figureTable(figures));
const out = writeResults(figures, started, '-topology');
log(`done; results in ${path.relative(process.cwd(), out)}`);
