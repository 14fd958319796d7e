import type { Kysely } from 'kysely';
import { denormalizer } from '../../src/loader/denormalize.ts';
import { Loader } from '../../src/loader/loader.ts';
import { UserColumnsCache } from '../../src/loader/user-columns.ts';
import { applyDedupHorizon } from '../../src/ops/dedup-horizon.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { WAREHOUSE_DB, type Warehouse } from '../../src/warehouse/warehouse.ts';
import type { openAdapters } from '../../test/helpers/fixtures.ts';
import { generateEvents } from '../../test/helpers/fixtures.ts';
import { emptyWarehouse, sqliteBytesInUse, warehouseBytes } from '../lib/disk.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';
import { sampleRss } from '../lib/rss.ts';

export type Adapters = Awaited<ReturnType<typeof openAdapters>>;

const EVENTS = Number(process.env.BENCH_LOADER_EVENTS ?? 1_000_000);
const USERS = 10_000;
const BATCH = 10_000;

const WEEK_MS = 7 * 86_400_000;

/**
 * The loader moving a backlog of 1M events into chDB (receive from SQLite, denormalize, insert,
 * ack), against inserting the same denormalized rows directly, in the same batches, into the same
 * table with the same materialized views, emptied again first (the same work). Also the disk each
 * event takes: in the store while queued, once loaded, and past the dedup horizon; in the
 * warehouse, steplog.events alone and with every aggregate.
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

  const storeDb = store.db as unknown as Kysely<unknown>;
  const queuedBytes = await sqliteBytesInUse(storeDb);

  const rss = sampleRss(process.pid);
  const started = performance.now();
  const job = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: BATCH }).run(
    'manual',
  );
  const loaderSeconds = (performance.now() - started) / 1000;
  const peak = rss.stop();
  const loaderLoad = loadAverage();
  if (job.status !== 'succeeded' || job.rows !== EVENTS) throw new Error(`loader bench failed: ${JSON.stringify(job)}`);
  const loadedBytes = await sqliteBytesInUse(storeDb);
  await applyDedupHorizon(store.retention, WEEK_MS, Date.now() + WEEK_MS + 1);
  const horizonBytes = await sqliteBytesInUse(storeDb);
  await warehouse.exec(`OPTIMIZE TABLE ${WAREHOUSE_DB}.events FINAL`);
  const warehouseDisk = await warehouseBytes(warehouse, 'events');

  const users = await new UserColumnsCache(store.catalog, USERS).of(Array.from({ length: USERS }, (_, i) => i + 1));
  await emptyWarehouse(warehouse);
  const toRow = denormalizer(users);
  const rows = events.map((e, i) => toRow({ ...e, id: i + 1, receivedAt: Date.now() }));
  const baselineStarted = performance.now();
  for (let i = 0; i < rows.length; i += BATCH) await direct(`${WAREHOUSE_DB}.events`, rows.slice(i, i + BATCH));
  const baselineSeconds = (performance.now() - baselineStarted) / 1000;
  const perEvent = (bytes: number) => round(bytes / EVENTS, 1);

  return [
    {
      phase: 'loader',
      measure: `backlog of ${EVENTS.toLocaleString('en')} → ${engine}`,
      steplog: round(EVENTS / loaderSeconds),
      baseline: round(EVENTS / baselineSeconds),
      unit: 'rows/s',
      target: '≥ 0.8 of direct insert',
      peakRssMiB: peak,
      loadAverage: loaderLoad,
      note: `${round(loaderSeconds, 1)} s vs ${round(baselineSeconds, 1)} s direct into steplog.events and its views, batches of ${BATCH}`,
    },
    {
      phase: 'disk',
      measure: `store (SQLite), ${EVENTS.toLocaleString('en')} events queued`,
      steplog: perEvent(queuedBytes),
      unit: 'B/event',
      loadAverage: loadAverage(),
      note: `after the load: ${perEvent(loadedBytes)} B/event; past the dedup horizon: ${perEvent(horizonBytes)} B/event (pages in use)`,
    },
    {
      phase: 'disk',
      measure: `warehouse (${engine}), ${EVENTS.toLocaleString('en')} events`,
      steplog: perEvent(warehouseDisk.table),
      unit: 'B/event',
      loadAverage: loadAverage(),
      note: `steplog.events after OPTIMIZE FINAL; with every aggregate and the delivery ledger: ${perEvent(warehouseDisk.all)} B/event`,
    },
  ];
}
