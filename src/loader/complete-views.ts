import { rebuildAggregates } from '../analytics/rebuild-aggregates.ts';
import { uuidList } from '../warehouse/uuid-list.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import type { WarehouseEventRow } from './denormalize.ts';

/** Ids per ledger look-up, as in reconcile.ts: far inside max_query_size. */
const IDS_PER_QUERY = 2_000;

/**
 * Exactly once in the views on engines without insert-deduplication tokens (ClickHouse 18.16).
 * An INSERT writes steplog.events first and then each materialized view's table; a crash (or a
 * timeout whose INSERT went on) in between leaves rows in the events table that some views never
 * saw, and re-inserting them would double the views that did. So the rows of an in-doubt batch
 * that steplog.events already holds are not inserted again (reconcile.ts), and their views are
 * completed from the raw table instead:
 * - the delivery ledger row by row: an id the ledger never counted gets its one copy;
 * - the daily aggregates by recomputing the months those rows fall in (and step_progress, which
 *   spans all time) from steplog.events, which is exact whatever each view saw.
 * Running it again (a crash during the repair) changes nothing more. Loads of other processes must
 * not insert meanwhile (one loader per warehouse, as the rebuild requires).
 */
export async function completeViews(warehouse: Warehouse, loaded: readonly WarehouseEventRow[]): Promise<void> {
  if (loaded.length === 0) return;
  for (let i = 0; i < loaded.length; i += IDS_PER_QUERY) {
    const ids = loaded.slice(i, i + IDS_PER_QUERY).map((row) => row.event_id);
    const counted = await warehouse.query<{ event_id: string }>(
      `SELECT toString(event_id) AS event_id FROM ${WAREHOUSE_DB}.event_deliveries ` +
        `WHERE event_id IN (${uuidList(ids)}) GROUP BY event_id HAVING sum(copies) > 0`,
    );
    const seen = new Set(counted.map((row) => row.event_id));
    const unseen = ids.filter((id) => !seen.has(id)).map((id) => ({ event_id: id, copies: 1 }));
    await warehouse.insert(`${WAREHOUSE_DB}.event_deliveries`, unseen);
  }
  const days = loaded.map((row) => row.time.slice(0, 10)).sort();
  await rebuildAggregates(warehouse, { from: days[0], to: days.at(-1) });
}
