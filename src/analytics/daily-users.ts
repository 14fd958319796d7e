import type { ActionId } from '../events/event.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { sqlFile } from './sql-file.ts';

export interface DailyUsersQuery {
  /** Inclusive, YYYY-MM-DD (UTC days). */
  readonly from: string;
  readonly to: string;
  readonly actionId?: ActionId | undefined;
}

export interface DailyUsers {
  readonly day: string;
  readonly users: number;
  readonly events: number;
}

const SQL = sqlFile('daily-users');
const DAY_MS = 86_400_000;
/** Ten years of days: a bound on the answer's size. */
export const MAX_DAYS = 3660;

/** Unique users per day over the raw events; every day of the range is answered, idle days with 0. */
export async function dailyUsers(warehouse: Warehouse, query: DailyUsersQuery): Promise<DailyUsers[]> {
  const rows = await warehouse.query<{ day: string; users: string | number; events: string | number }>(SQL, {
    from: query.from,
    to: query.to,
    action_id: query.actionId ?? -1,
  });
  const byDay = new Map(rows.map((row) => [row.day, row]));
  const out: DailyUsers[] = [];
  for (let t = Date.parse(query.from); t <= Date.parse(query.to); t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const row = byDay.get(day);
    out.push({ day, users: Number(row?.users ?? 0), events: Number(row?.events ?? 0) });
  }
  return out;
}
