import type { Warehouse } from '../warehouse/warehouse.ts';
import { ratio } from './days.ts';
import { stepProgress } from './step-progress.ts';

/**
 * One step's funnel: the users whose first view of it falls in the range, how many of those same
 * users submitted, and how many of them solved (at any time), with the conversions as fractions.
 */
export interface FunnelStep {
  readonly step_id: number;
  readonly viewed: number;
  readonly submitted: number;
  readonly solved: number;
  readonly view_to_submit: number | null;
  readonly submit_to_solve: number | null;
  readonly view_to_solve: number | null;
}

export async function funnel(
  warehouse: Warehouse,
  query: { readonly from: string; readonly to: string; readonly stepId?: number | undefined },
): Promise<FunnelStep[]> {
  return (await stepProgress(warehouse, query))
    .filter((step) => step.viewed > 0)
    .map(({ step_id, viewed, submitted, solved }) => ({
      step_id,
      viewed,
      submitted,
      solved,
      view_to_submit: ratio(submitted, viewed),
      submit_to_solve: ratio(solved, submitted),
      view_to_solve: ratio(solved, viewed),
    }));
}
