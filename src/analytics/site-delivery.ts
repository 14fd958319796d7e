import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Count } from './days.ts';
import { sqlFile } from './sql-file.ts';

/**
 * What the warehouse holds of a visitor range: the proof side of `steplog load --family site`.
 * A run's visitors are its own id range, so the range selects the run's events whichever route
 * sent them (the seed's route carries no event_id).
 */
export interface VisitorRange {
  readonly userIdFrom: number;
  readonly userIdTo: number;
}

/** One stored row, with the inserts the delivery ledger saw of its event_id. */
export interface StoredSiteRow {
  readonly userId: number;
  readonly timeMs: number;
  readonly eventId: string;
  readonly name: string;
  readonly url: string;
  readonly obj: string;
  readonly objId: string;
  readonly productId: number;
  readonly amount: number;
  readonly exp: Record<string, string>;
  readonly copies: number;
}

export interface SiteDayCount {
  readonly day: string;
  readonly name: string;
  readonly events: number;
  readonly users: number;
}

const EVENTS = sqlFile('site-run-events');
const COPIES = sqlFile('site-run-copies');
const DAYS = sqlFile('site-run-days');

interface EventRow {
  user_id: Count;
  time_ms: Count;
  event_id: string;
  name: string;
  url: string;
  obj: string;
  obj_id: string;
  product_id: Count;
  amount: number;
  exp_keys: string[];
  exp_values: string[];
}

const params = (range: VisitorRange) => ({ user_id_from: range.userIdFrom, user_id_to: range.userIdTo });

/** Every stored row of the range's visitors, ordered by visitor and time. */
export async function siteRunRows(warehouse: Warehouse, range: VisitorRange): Promise<StoredSiteRow[]> {
  const [rows, copies] = await Promise.all([
    warehouse.query<EventRow>(EVENTS, params(range)),
    warehouse.query<{ event_id: string; copies: Count }>(COPIES, params(range)),
  ]);
  const copiesOf = new Map(copies.map((c) => [c.event_id, Number(c.copies)]));
  return rows.map((row) => ({
    userId: Number(row.user_id),
    timeMs: Number(row.time_ms),
    eventId: row.event_id,
    name: row.name,
    url: row.url,
    obj: row.obj,
    objId: row.obj_id,
    productId: Number(row.product_id),
    amount: Number(row.amount),
    exp: Object.fromEntries(row.exp_keys.map((key, i) => [key, row.exp_values[i]!])),
    copies: copiesOf.get(row.event_id) ?? 0,
  }));
}

/** Events and distinct visitors per UTC day and event name in the range. */
export async function siteRunDays(warehouse: Warehouse, range: VisitorRange): Promise<SiteDayCount[]> {
  const rows = await warehouse.query<{ day: string; name: string; events: Count; users: Count }>(DAYS, params(range));
  return rows.map((r) => ({ day: r.day, name: r.name, events: Number(r.events), users: Number(r.users) }));
}
