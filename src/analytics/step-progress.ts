import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Count } from './days.ts';
import { sqlFile } from './sql-file.ts';

/** Per step, from each user's first view, submit and solve (see sql/step-progress.sql). */
export interface StepProgress {
  readonly step_id: number;
  readonly viewed: number;
  readonly submitted: number;
  readonly solved: number;
  readonly median_seconds_to_solve: number | null;
}

const SQL = sqlFile('step-progress');

export async function stepProgress(
  warehouse: Warehouse,
  query: { readonly from: string; readonly to: string; readonly stepId?: number | undefined },
): Promise<StepProgress[]> {
  const rows = await warehouse.query<{
    step_id: number;
    viewed: Count;
    submitted: Count;
    solved: Count;
    timed_solves: Count;
    median_seconds_to_solve: Count;
  }>(SQL, { from: query.from, to: query.to, step_id: query.stepId ?? 0 });
  return rows.map((row) => ({
    step_id: Number(row.step_id),
    viewed: Number(row.viewed),
    submitted: Number(row.submitted),
    solved: Number(row.solved),
    median_seconds_to_solve: Number(row.timed_solves) === 0 ? null : Number(row.median_seconds_to_solve),
  }));
}
