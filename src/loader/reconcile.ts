import type { StoredEvent } from '../events/event.ts';
import { uuidList } from '../warehouse/uuid-list.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import { toDateTime } from './denormalize.ts';

/**
 * Which of these in-doubt events steplog.events already holds. The time bounds let ClickHouse
 * prune partitions and granules; the ids are UUIDs checked here, so inlining them is safe.
 *
 * Where the engine has insert-deduplication tokens this only counts (the loader re-inserts the
 * batch whole and each table and view skips what it holds). Elsewhere the loader leaves these
 * rows out — exact for steplog.events, but a kill -9 that cut an INSERT between the events table
 * and its materialized views leaves the views short (`steplog load` reports it as view gaps).
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
