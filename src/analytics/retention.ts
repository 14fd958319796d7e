import type { Warehouse } from '../warehouse/warehouse.ts';
import { addDays, type Count } from './days.ts';
import { sqlFile } from './sql-file.ts';

/**
 * A join-week cohort: its users with any event, and the share of them active in weeks 0…K−1 —
 * null for a week that starts after today (it has not happened, so it has no share).
 */
export interface RetentionCohort {
  /** The Monday starting the join week, YYYY-MM-DD. */
  readonly cohort_week: string;
  readonly users: number;
  readonly active: (number | null)[];
}

const SQL = sqlFile('retention');

/**
 * Cohorts whose join week starts in [Monday of from, to], with `weeks` weeks each. `today` (UTC,
 * YYYY-MM-DD; the current day unless given) decides which weeks have begun.
 */
export async function retention(
  warehouse: Warehouse,
  query: { readonly from: string; readonly to: string; readonly weeks: number; readonly today?: string | undefined },
): Promise<RetentionCohort[]> {
  const { from, to, weeks } = query;
  const today = query.today ?? new Date().toISOString().slice(0, 10);
  const rows = await warehouse.query<{ cohort_week: string; week: number; users: Count }>(SQL, { from, to, weeks });
  const cohorts = new Map<string, { users: number; active: (number | null)[] }>();
  for (const row of rows.filter((r) => Number(r.week) < 0)) {
    const active = Array.from({ length: weeks }, (_, k) => (addDays(row.cohort_week, 7 * k) > today ? null : 0));
    cohorts.set(row.cohort_week, { users: Number(row.users), active });
  }
  for (const row of rows.filter((r) => Number(r.week) >= 0)) {
    const cohort = cohorts.get(row.cohort_week)!;
    if (cohort.active[Number(row.week)] !== null) cohort.active[Number(row.week)] = Number(row.users) / cohort.users;
  }
  return [...cohorts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cohort_week, c]) => ({ cohort_week, users: c.users, active: c.active }));
}
