import { denormalizer } from '../../src/loader/denormalize.ts';
import { Loader } from '../../src/loader/loader.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { WAREHOUSE_DB, type Warehouse } from '../../src/warehouse/warehouse.ts';
import type { openAdapters } from '../../test/helpers/fixtures.ts';
import { generateEvents } from '../../test/helpers/fixtures.ts';
import { round, type Figure } from '../lib/report.ts';
import { sampleRss } from '../lib/rss.ts';

export type Adapters = Awaited<ReturnType<typeof openAdapters>>;

const EVENTS = Number(process.env.BENCH_LOADER_EVENTS ?? 1_000_000);
const USERS = 10_000;
const BATCH = 10_000;

/**
 * The loader moving a backlog of 1M events into chDB (receive from SQLite, denormalize, insert,
 * ack), against inserting the same denormalized rows into chDB directly in the same batches.
 */
export async function loaderPhase(
  adapters: { readonly store: Adapters['store']; readonly warehouse: Warehouse },
  /** How the baseline inserts rows; the warehouse's own insert by default. */
  direct: (table: string, rows: readonly object[]) => Promise<void> = (table, rows) =>
    adapters.warehouse.insert(table, rows),
  engine = 'chDB',
): Promise<Figure[]> {
  const { store, warehouse } = adapters;
  for (let id = 1; id <= USERS; id++) {
    await store.catalog.createUser({
      id,
      name: `user ${id}`,
      email: `user${id}@example.com`,
      joinDate: Date.UTC(2026, 0, 1) + id * 60_000,
      registrationDate: id % 4 === 0 ? null : Date.UTC(2026, 1, 1),
    });
  }
  for (let id = 1; id <= 300; id++) await store.catalog.createTask({ id, title: `step ${id}`, text: '' });
  const events = generateEvents(EVENTS, USERS, 300, 7);
  const transport = new OutboxTransport(store);
  for (let i = 0; i < events.length; i += 50_000)
    await store.eventLog.appendEvents(events.slice(i, i + 50_000), transport.enqueue);

  const rss = sampleRss(process.pid);
  const started = performance.now();
  const job = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: BATCH }).run(
    'manual',
  );
  const loaderSeconds = (performance.now() - started) / 1000;
  const peak = rss.stop();
  if (job.status !== 'succeeded' || job.rows !== EVENTS) throw new Error(`loader bench failed: ${JSON.stringify(job)}`);

  const users = await store.catalog.getUsers(Array.from({ length: USERS }, (_, i) => i + 1));
  await warehouse.exec(`CREATE TABLE ${WAREHOUSE_DB}.events_baseline AS ${WAREHOUSE_DB}.events`);
  const toRow = denormalizer(users);
  const rows = events.map((e, i) => toRow({ ...e, id: i + 1, receivedAt: Date.now() }));
  const baselineStarted = performance.now();
  for (let i = 0; i < rows.length; i += BATCH)
    await direct(`${WAREHOUSE_DB}.events_baseline`, rows.slice(i, i + BATCH));
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  await warehouse.exec(`DROP TABLE ${WAREHOUSE_DB}.events_baseline`);

  return [
    {
      phase: 'loader',
      measure: `backlog of ${EVENTS.toLocaleString('en')} → ${engine}`,
      steplog: round(EVENTS / loaderSeconds),
      baseline: round(EVENTS / baselineSeconds),
      unit: 'rows/s',
      target: '≥ 0.8 of direct insert',
      peakRssMiB: peak,
      note: `${round(loaderSeconds, 1)} s vs ${round(baselineSeconds, 1)} s direct, batches of ${BATCH}`,
    },
  ];
}
