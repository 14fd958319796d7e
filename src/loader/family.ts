import type { QueuedEvent } from '../queue/transport.ts';

/** What every warehouse row has, whatever its family: the loader's blocks and reconciliation read these. */
export interface WarehouseRow {
  readonly event_id: string;
  /** ClickHouse DateTime text, UTC (see toDateTime). */
  readonly time: string;
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
}
