import type { Warehouse } from '../warehouse/warehouse.ts';
import { ratio, type Count } from './days.ts';
import { sqlFile } from './sql-file.ts';
import { stepProgress } from './step-progress.ts';

/** How hard a step is, over the events of a range. */
export interface StepDifficulty {
  readonly step_id: number;
  readonly submits: number;
  readonly solves: number;
  /** Submit events per solve event; null without solves. */
  readonly submits_per_solve: number | null;
  /** Users who solved / users who submitted; null without submitters. */
  readonly solve_rate: number | null;
  /** Median of first solve − first view, over first solves in the range that follow a view. */
  readonly median_seconds_to_solve: number | null;
}

const SQL = sqlFile('step-activity');

/** Steps with a submit or a solve in [from, to]. */
export async function stepDifficulty(
  warehouse: Warehouse,
  query: { readonly from: string; readonly to: string },
): Promise<StepDifficulty[]> {
  const [activity, progress] = await Promise.all([
    warehouse.query<{ step_id: number; submits: Count; solves: Count; submit_users: Count; solve_users: Count }>(SQL, {
      ...query,
    }),
    stepProgress(warehouse, query),
  ]);
  const medians = new Map(progress.map((p) => [p.step_id, p.median_seconds_to_solve]));
  return activity.map((row) => {
    const [submits, solves] = [Number(row.submits), Number(row.solves)];
    return {
      step_id: Number(row.step_id),
      submits,
      solves,
      submits_per_solve: ratio(submits, solves),
      solve_rate: ratio(Number(row.solve_users), Number(row.submit_users)),
      median_seconds_to_solve: medians.get(Number(row.step_id)) ?? null,
    };
  });
}
