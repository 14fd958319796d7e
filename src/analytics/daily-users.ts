import type { ActionId } from '../events/event.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';
import { daysBetween, type Count } from './days.ts';
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

/** Unique users per day over the raw events; every day of the range is answered, idle days with 0. */
export async function dailyUsers(warehouse: Warehouse, query: DailyUsersQuery): Promise<DailyUsers[]> {
  const rows = await warehouse.query<{ day: string; users: Count; events: Count }>(SQL, {
    from: query.from,
    to: query.to,
    action_id: query.actionId ?? -1,
  });
  const byDay = new Map(rows.map((row) => [row.day, row]));
  return daysBetween(query.from, query.to).map((day) => {
    const row = byDay.get(day);
    return { day, users: Number(row?.users ?? 0), events: Number(row?.events ?? 0) };
  });
}
