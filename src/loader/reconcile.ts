import type { QueuedEvent } from '../queue/transport.ts';
import { isCanonicalUuid, uuidList } from '../warehouse/uuid-list.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import { toDateTime } from './warehouse-time.ts';

/** Ids per look-up: about 80 KB of SQL, far inside ClickHouse's max_query_size (256 KiB). */
const IDS_PER_QUERY = 2_000;

/**
 * Which of these events of a batch formed before the family's table already holds, in look-ups of a
 * bounded size, so a batch of any size can be checked. The time bounds let ClickHouse prune
 * partitions and granules; the ids are UUIDs checked here, so inlining them is safe.
 *
 * Where the engine has insert-deduplication tokens this only counts (the loader re-inserts the
 * batch whole and each table and view skips what it holds). Elsewhere the loader leaves these
 * rows out — exact for steplog.events — and completes their views (complete-views.ts), which a
 * crash between the events table and its materialized views may have left short.
 */
export async function alreadyLoaded(
  warehouse: Warehouse,
  table: string,
  events: readonly QueuedEvent[],
): Promise<Set<string>> {
  const present = new Set<string>();
  // An id in another form (stored before the API refused such forms) cannot be in the warehouse.
  const checkable = events.filter((e) => isCanonicalUuid(e.eventId));
  for (let i = 0; i < checkable.length; i += IDS_PER_QUERY) {
    const part = checkable.slice(i, i + IDS_PER_QUERY);
    const times = part.map((e) => e.time);
    const rows = await warehouse.query<{ event_id: string }>(
      `SELECT DISTINCT toString(event_id) AS event_id FROM ${WAREHOUSE_DB}.${table} ` +
        `WHERE time BETWEEN toDateTime('${toDateTime(Math.min(...times))}', 'UTC') ` +
        `AND toDateTime('${toDateTime(Math.max(...times))}', 'UTC') AND event_id IN (${uuidList(part.map((e) => e.eventId))})`,
    );
    for (const row of rows) present.add(row.event_id);
  }
  return present;
}
