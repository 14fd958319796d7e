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

const ACTIVITY_SQL = sqlFile('users-activity');
const NEW_USERS_SQL = sqlFile('users-activity-new');
type Figure = Exclude<keyof UsersActivity, 'date'>;

/** One window per end day in [from, to], merged from the daily states; idle windows answer 0. */
export async function usersActivitySeries(
  warehouse: Warehouse,
  query: UsersActivitySeriesQuery,
): Promise<UsersActivity[]> {
  const params = { days: query.days, from: query.from, to: query.to };
  const answers = await Promise.all(
    [ACTIVITY_SQL, NEW_USERS_SQL].map((sql) =>
      warehouse.query<Partial<Record<Figure, Count>> & { date: string }>(sql, params),
    ),
  );
  const byDate = new Map<string, Record<string, Count>>();
  for (const { date, ...figures } of answers.flat()) byDate.set(date, { ...byDate.get(date), ...figures });
  const zero: Record<Figure, number> = {
    users: 0,
    view_users: 0,
    submit_users: 0,
    solve_users: 0,
    guests: 0,
    registered: 0,
    new_users: 0,
    returning_users: 0,
  };
  return daysBetween(query.from, query.to).map((date) => {
    const figures = Object.entries(byDate.get(date) ?? {}).map(([name, value]) => [name, Number(value)]);
    return { date, ...zero, ...Object.fromEntries(figures) } as UsersActivity;
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
