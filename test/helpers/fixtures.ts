import path from 'node:path';
import type { ActionId, NewEvent } from '../../src/events/event.ts';
import { random } from '../../src/loadgen/random.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WarehouseMigrator } from '../../src/warehouse/migrator.ts';
import { WAREHOUSE_DB, type Warehouse } from '../../src/warehouse/warehouse.ts';
import { tempDataDir } from './server.ts';

/** The seeded generator `steplog load` uses, for tests that generate their own data. */
export { random };

/**
 * A migrated SQLite store, its outbox transport and a chDB warehouse in a fresh temp dir (one
 * warehouse per test file: chDB's rule). `append` commits events as ingest does, outbox rows included.
 */
export async function openAdapters(dir = tempDataDir()) {
  const store = openSqliteStore(path.join(dir, 'steplog.sqlite'));
  await store.migrate();
  const transport = new OutboxTransport(store);
  const append = (events: readonly NewEvent[]) => store.eventLog.appendEvents(events, transport.enqueue);
  const warehouse = ChdbWarehouse.open(path.join(dir, 'clickhouse'));
  await new WarehouseMigrator(warehouse).up();
  return { dir, store, transport, append, warehouse };
}

export function uuidFor(n: number): string {
  const hex = n.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** `count` events over `users` users and `steps` steps, spread over the days before `end`. */
export function generateEvents(
  count: number,
  users: number,
  steps: number,
  seed = 1,
  end = Date.UTC(2026, 10, 1),
): NewEvent[] {
  const rnd = random(seed);
  return Array.from({ length: count }, (_, i) => ({
    eventId: uuidFor(seed * 1_000_000 + i),
    time: end - Math.floor(rnd() * 10 * 86_400_000),
    userId: 1 + Math.floor(rnd() * users),
    stepId: 1 + Math.floor(rnd() * steps),
    actionId: Math.floor(rnd() * 3) as ActionId,
  }));
}

/** Rows in steplog.events and distinct event_ids among them: equal when nothing was inserted twice. */
export async function warehouseEventCounts(warehouse: Warehouse): Promise<{ rows: number; ids: number }> {
  const [row] = await warehouse.query<{ rows: string; ids: string }>(
    `SELECT count() AS rows, uniqExact(event_id) AS ids FROM ${WAREHOUSE_DB}.events`,
  );
  return { rows: Number(row!.rows), ids: Number(row!.ids) };
}
