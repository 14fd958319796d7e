import { uuidList } from '../warehouse/uuid-list.ts';
import type { Count } from './days.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { sqlFile } from './sql-file.ts';

/** What the warehouse holds of a set of events: the proof side of `steplog load`. */
export interface DeliveredCopies {
  readonly eventId: string;
  /** Rows in steplog.events. */
  readonly rows: number;
  /** Inserts the delivery ledger's view saw (what the aggregates' views saw too). */
  readonly copies: number;
}

export interface RunSummary {
  /** Rows of the run's events in steplog.events (a duplicate row counts twice). */
  readonly rows: number;
  readonly eventIds: number;
  readonly days: readonly { day: string; actionId: number; events: number; users: number }[];
  readonly users: readonly UserAttributes[];
}

export interface UserAttributes {
  readonly userId: number;
  readonly name: string;
  readonly email: string;
  /** 'YYYY-MM-DD hh:mm:ss', UTC. */
  readonly joinDate: string;
  readonly registrationDate: string | null;
  readonly isGuest: boolean;
  readonly events: number;
}

const COPIES = sqlFile('delivered-copies');
const TOTALS = sqlFile('run-totals');
const DAILY_ACTIONS = sqlFile('run-daily-actions');
const USER_ATTRIBUTES = sqlFile('run-user-attributes');

/** Rows and view-counted inserts of these event ids; ids never inserted are absent from the answer. */
export async function deliveredCopies(warehouse: Warehouse, eventIds: readonly string[]): Promise<DeliveredCopies[]> {
  if (eventIds.length === 0) return [];
  const rows = await warehouse.query<{ event_id: string; rows: Count; copies: Count }>(COPIES, {
    // An array parameter travels as its ClickHouse literal; uuidList admits canonical UUIDs only.
    event_ids: `[${uuidList(eventIds)}]`,
  });
  return rows.map((row) => ({ eventId: row.event_id, rows: Number(row.rows), copies: Number(row.copies) }));
}

/** Everything loaded for the events whose ids start with `prefix` (a load run's tag). */
export async function runSummary(warehouse: Warehouse, prefix: string): Promise<RunSummary> {
  const [totals, days, users] = await Promise.all([
    warehouse.query<{ rows: Count; event_ids: Count }>(TOTALS, { prefix }),
    warehouse.query<{ day: string; action_id: number; events: Count; users: Count }>(DAILY_ACTIONS, { prefix }),
    warehouse.query<{
      user_id: number;
      name: string;
      email: string;
      join_date: string;
      registration_date: string | null;
      is_guest: number;
      events: Count;
    }>(USER_ATTRIBUTES, { prefix }),
  ]);
  return {
    rows: Number(totals[0]?.rows ?? 0),
    eventIds: Number(totals[0]?.event_ids ?? 0),
    days: days.map((d) => ({ day: d.day, actionId: d.action_id, events: Number(d.events), users: Number(d.users) })),
    users: users.map((u) => ({
      userId: u.user_id,
      name: u.name,
      email: u.email,
      joinDate: u.join_date,
      registrationDate: u.registration_date,
      isGuest: u.is_guest === 1,
      events: Number(u.events),
    })),
  };
}
