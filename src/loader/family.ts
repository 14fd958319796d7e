import type { QueuedEvent } from '../queue/transport.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** What every warehouse row has, whatever its family: the loader's blocks and reconciliation read these. */
export interface WarehouseRow {
  readonly event_id: string;
  /** The event time, a ClickHouse DateTime as whole epoch seconds (see toEpochSeconds). */
  readonly time: number;
}

/**
 * An event family as the loader sees it: the warehouse table its rows go to (whose materialized
 * views keep its aggregates) and how a batch of its committed events becomes rows. The loader's
 * exactly-once machinery (forming, tokens, reconciliation, isolation, dead letters) is the same for all.
 */
export interface LoadFamily<E extends QueuedEvent, R extends WarehouseRow> {
  /** The table in the steplog database: `events`, `site_events`. */
  readonly table: string;
  denormalize(events: readonly E[]): Promise<R[]>;
  /**
   * On engines without insert-deduplication tokens: completes the views for rows of an in-doubt
   * batch that the table already holds (complete-views.ts). A family without it reconciles only
   * its table there: a crash between the table and its views can leave those views short.
   */
  completeViews?(warehouse: Warehouse, loaded: readonly R[]): Promise<void>;
}
