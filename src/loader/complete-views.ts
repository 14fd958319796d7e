import { rebuildAggregates } from '../analytics/rebuild-aggregates.ts';
import { FAMILY_TABLES, type FamilyTables } from '../warehouse/event-families.ts';
import { uuidList } from '../warehouse/uuid-list.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import type { WarehouseRow } from './family.ts';
import { utcDayPrefix } from './warehouse-time.ts';

/** Ids per ledger look-up, as in reconcile.ts: far inside max_query_size. */
const IDS_PER_QUERY = 2_000;

/**
 * Exactly once in the views on engines without insert-deduplication tokens (ClickHouse 18.16).
 * An INSERT writes the family's raw table first and then each materialized view's table; a crash
 * (or a timeout whose INSERT went on) in between leaves rows in the raw table that some views
 * never saw, and re-inserting them would double the views that did. So the rows of an in-doubt
 * batch that the raw table already holds are not inserted again (reconcile.ts), and their views
 * are completed from the raw table instead:
 * - the delivery ledger row by row: an id the ledger never counted gets its one copy;
 * - the aggregates by recomputing the months those rows fall in (learning's step_progress, which
 *   spans all time, whole) from the raw table, which is exact whatever each view saw.
 * Running it again (a crash during the repair) changes nothing more. Loads of other processes must
 * not insert meanwhile (one loader per warehouse, as the rebuild requires).
 */
const completeViewsOf =
  (family: FamilyTables) =>
  async (warehouse: Warehouse, loaded: readonly WarehouseRow[]): Promise<void> => {
    if (loaded.length === 0) return;
    const ledger = `${WAREHOUSE_DB}.${family.deliveries}`;
    for (let i = 0; i < loaded.length; i += IDS_PER_QUERY) {
      const ids = loaded.slice(i, i + IDS_PER_QUERY).map((row) => row.event_id);
      const counted = await warehouse.query<{ event_id: string }>(
        `SELECT toString(event_id) AS event_id FROM ${ledger} ` +
          `WHERE event_id IN (${uuidList(ids)}) GROUP BY event_id HAVING sum(copies) > 0`,
      );
      const seen = new Set(counted.map((row) => row.event_id));
      const unseen = ids.filter((id) => !seen.has(id)).map((id) => ({ event_id: id, copies: 1 }));
      await warehouse.insert(ledger, unseen);
    }
    const dayOf = utcDayPrefix(10);
    const days = loaded.map((row) => dayOf(row.time)).sort();
    await rebuildAggregates(warehouse, { from: days[0], to: days.at(-1) }, family);
  };

export const completeViews = completeViewsOf(FAMILY_TABLES.learning);
export const completeSiteViews = completeViewsOf(FAMILY_TABLES.site);
