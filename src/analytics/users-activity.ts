import type { Warehouse } from '../warehouse/warehouse.ts';
import { daysBetween, type Count } from './days.ts';
import { sqlFile } from './sql-file.ts';

/** Distinct users active in an N-day window (the users_activity mart). */
export interface UsersActivity {
  /** The window's last day, YYYY-MM-DD (UTC). */
  readonly date: string;
  readonly users: number;
  readonly view_users: number;
  readonly submit_users: number;
  readonly solve_users: number;
  readonly guests: number;
  readonly registered: number;
  /** Users whose join day falls inside the window. */
  readonly new_users: number;
  readonly returning_users: number;
}

export interface UsersActivitySeriesQuery {
  /** Window length in days: 1 gives DAU, 7 WAU, 30 MAU. */
  readonly days: number;
  /** First and last window end day, inclusive. */
  readonly from: string;
  readonly to: string;
}

const SQL = sqlFile('users-activity');
const FIGURES = [
  'users',
  'view_users',
  'submit_users',
  'solve_users',
  'guests',
  'registered',
  'new_users',
  'returning_users',
] as const;

/** One window per end day in [from, to], merged from the daily states; idle windows answer 0. */
export async function usersActivitySeries(
  warehouse: Warehouse,
  query: UsersActivitySeriesQuery,
): Promise<UsersActivity[]> {
  const rows = await warehouse.query<Record<(typeof FIGURES)[number], Count> & { date: string }>(SQL, {
    days: query.days,
    from: query.from,
    to: query.to,
  });
  const byDate = new Map(rows.map((row) => [row.date, row]));
  return daysBetween(query.from, query.to).map((date) => {
    const row = byDate.get(date);
    return { date, ...Object.fromEntries(FIGURES.map((f) => [f, Number(row?.[f] ?? 0)])) } as UsersActivity;
  });
}

/** The N-day window ending at `date`. */
export async function usersActivity(
  warehouse: Warehouse,
  query: { readonly days: number; readonly date: string },
): Promise<UsersActivity> {
  const [window] = await usersActivitySeries(warehouse, { days: query.days, from: query.date, to: query.date });
  return window!;
}
