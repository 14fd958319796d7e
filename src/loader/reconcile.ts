import type { StoredEvent } from '../events/event.ts';
import { uuidList } from '../warehouse/uuid-list.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import { toDateTime } from './denormalize.ts';

/**
 * Which of these in-doubt events the warehouse already holds. The time bounds let ClickHouse
 * prune partitions and granules; the ids are UUIDs checked here, so inlining them is safe.
 *
 * Known gap: an INSERT writes steplog.events and then each materialized view (aggregates, the
 * delivery ledger) as separate parts, so a kill -9 between them leaves rows that the views never
 * saw; this check finds the rows in events and does not insert them again. Re-inserting the
 * in-doubt batch with an insert-deduplication token (where the engine has one) would let each
 * table skip only the blocks it already holds. `steplog load` reports such rows as view gaps.
 */
export async function alreadyLoaded(warehouse: Warehouse, events: readonly StoredEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const times = events.map((e) => e.time);
  const rows = await warehouse.query<{ event_id: string }>(
    `SELECT DISTINCT toString(event_id) AS event_id FROM ${WAREHOUSE_DB}.events ` +
      `WHERE time BETWEEN toDateTime('${toDateTime(Math.min(...times))}', 'UTC') ` +
      `AND toDateTime('${toDateTime(Math.max(...times))}', 'UTC') AND event_id IN (${uuidList(events.map((e) => e.eventId))})`,
  );
  return new Set(rows.map((row) => row.event_id));
}
