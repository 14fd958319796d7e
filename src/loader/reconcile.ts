import type { StoredEvent } from '../events/event.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import { toDateTime } from './denormalize.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Which of these in-doubt events the warehouse already holds. The time bounds let ClickHouse
 * prune partitions and granules; the ids are UUIDs checked here, so inlining them is safe.
 */
export async function alreadyLoaded(warehouse: Warehouse, events: readonly StoredEvent[]): Promise<Set<string>> {
  if (events.length === 0) return new Set();
  const ids = events.map((e) => {
    if (!UUID.test(e.eventId)) throw new Error(`not a canonical UUID: ${e.eventId}`);
    return `'${e.eventId}'`;
  });
  const times = events.map((e) => e.time);
  const rows = await warehouse.query<{ event_id: string }>(
    `SELECT DISTINCT toString(event_id) AS event_id FROM ${WAREHOUSE_DB}.events ` +
      `WHERE time BETWEEN toDateTime('${toDateTime(Math.min(...times))}', 'UTC') ` +
      `AND toDateTime('${toDateTime(Math.max(...times))}', 'UTC') AND event_id IN (${ids.join(',')})`,
  );
  return new Set(rows.map((row) => row.event_id));
}
