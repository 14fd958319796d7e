import type { QueuedEvent } from '../queue/transport.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** A row as the loader holds it: what its blocks and reconciliation read, and the row itself, encoded. */
export interface WarehouseRow {
  readonly event_id: string;
  /** The event time, a ClickHouse DateTime as whole epoch seconds (see toEpochSeconds). */
  readonly time: number;
  /**
   * The row as its JSONEachRow line, encoded when the batch is denormalized: while the batch
   * before it inserts, not on the insert's own path.
   */
  readonly json: string;
}

/** A family's warehouse columns of one event as the row the loader holds. */
export const encodedRow = (columns: Pick<WarehouseRow, 'event_id' | 'time'>): WarehouseRow => ({
  event_id: columns.event_id,
  time: columns.time,
  json: JSON.stringify(columns),
});

/**
 * An event family as the loader sees it: the warehouse table its rows go to (whose materialized
 * views keep its aggregates) and how a batch of its committed events becomes rows. The loader's
 * exactly-once machinery (forming, tokens, reconciliation, isolation, dead letters) is the same for all.
 */
export interface LoadFamily<E extends QueuedEvent> {
  /** The table in the steplog database: `events`, `site_events`. */
  readonly table: string;
  denormalize(events: readonly E[]): Promise<WarehouseRow[]>;
  /**
   * On engines without insert-deduplication tokens: completes the views for rows of an in-doubt
   * batch that the table already holds (complete-views.ts). A family without it reconciles only
   * its table there: a crash between the table and its views can leave those views short.
   */
  completeViews?(warehouse: Warehouse, loaded: readonly WarehouseRow[]): Promise<void>;
}
