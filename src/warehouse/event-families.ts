/** The two event families: learning events (view / submit / solve a step) and site events. */
export type EventFamily = 'learning' | 'site';

/** Where a family lives in the warehouse (the steplog database), as the migrations make it. */
export interface FamilyTables {
  /** The raw table. */
  readonly events: string;
  /** The delivery ledger: `sum(copies)` per event_id, fed by `<deliveries>_mv`. */
  readonly deliveries: string;
  /** The type of the raw table's user_id column. */
  readonly userType: 'UInt32' | 'UInt64';
  /** The -State aggregates, each fed by the materialized view `<table>_mv` on the raw table. */
  readonly aggregates: readonly { readonly table: string; readonly monthly: boolean }[];
}

export const FAMILY_TABLES: Readonly<Record<EventFamily, FamilyTables>> = {
  learning: {
    events: 'events',
    deliveries: 'event_deliveries',
    userType: 'UInt32',
    aggregates: [
      { table: 'activity_daily', monthly: true },
      { table: 'cohort_daily', monthly: true },
      { table: 'step_daily', monthly: true },
      // First view and first solve span all time: this one is always recomputed whole.
      { table: 'step_progress', monthly: false },
    ],
  },
  site: {
    events: 'site_events',
    deliveries: 'site_event_deliveries',
    userType: 'UInt64',
    aggregates: [
      { table: 'site_daily', monthly: true },
      { table: 'site_page_daily', monthly: true },
      { table: 'site_product_daily', monthly: true },
    ],
  },
};
