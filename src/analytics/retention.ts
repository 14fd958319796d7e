import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Count } from './days.ts';
import { sqlFile } from './sql-file.ts';

/** A join-week cohort: its users with any event, and the share of them active in weeks 0…K−1. */
export interface RetentionCohort {
  /** The Monday starting the join week, YYYY-MM-DD. */
  readonly cohort_week: string;
  readonly users: number;
  readonly active: number[];
}

const SQL = sqlFile('retention');

/** Cohorts whose join week starts in [Monday of from, to], with `weeks` weeks each. */
export async function retention(
  warehouse: Warehouse,
  query: { readonly from: string; readonly to: string; readonly weeks: number },
): Promise<RetentionCohort[]> {
  const rows = await warehouse.query<{ cohort_week: string; week: number; users: Count }>(SQL, { ...query });
  const cohorts = new Map<string, { users: number; active: number[] }>();
  for (const row of rows.filter((r) => Number(r.week) < 0)) {
    cohorts.set(row.cohort_week, { users: Number(row.users), active: new Array<number>(query.weeks).fill(0) });
  }
  for (const row of rows.filter((r) => Number(r.week) >= 0)) {
    const cohort = cohorts.get(row.cohort_week)!;
    cohort.active[Number(row.week)] = Number(row.users) / cohort.users;
  }
  return [...cohorts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([cohort_week, c]) => ({ cohort_week, users: c.users, active: c.active }));
}
