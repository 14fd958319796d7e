import type { Warehouse } from '../warehouse/warehouse.ts';
import type { Count } from './days.ts';
import { sqlFile } from './sql-file.ts';

const SQL = sqlFile('site-experiments');
/** The two-sided 95 % normal quantile. */
const Z95 = 1.959963984540054;

export interface VariantFigures {
  readonly variant: string;
  /** Distinct visitors exposed to the variant in the range. */
  readonly users: number;
  /** Of them, those with an event named `conversion` in the range. */
  readonly converted: number;
  readonly conversion: number;
  /** Sum of the amounts of the exposed visitors' events in the range, per exposed visitor. */
  readonly amount_per_user: number;
  /**
   * conversion − the control's conversion, with its 95 % confidence interval (Wald, unpooled:
   * difference ± 1.96 · √(p₁(1−p₁)/n₁ + p₀(1−p₀)/n₀)); null for the control itself.
   */
  readonly vs_control: { difference: number; low: number; high: number } | null;
}

export interface ExperimentFigures {
  readonly experiment: string;
  /** The variant the others are compared with: `control` when given and present, else the first by name. */
  readonly control: string;
  readonly variants: VariantFigures[];
}

export async function siteExperiments(
  warehouse: Warehouse,
  query: { from: string; to: string; conversion: string; control?: string | undefined },
): Promise<ExperimentFigures[]> {
  const rows = await warehouse.query<{
    experiment: string;
    variant: string;
    users: Count;
    converted: Count;
    amount: Count;
  }>(SQL, { from: query.from, to: query.to, conversion: query.conversion });
  const byExperiment = new Map<string, { variant: string; users: number; converted: number; amount: number }[]>();
  for (const row of rows) {
    let variants = byExperiment.get(row.experiment);
    if (!variants) byExperiment.set(row.experiment, (variants = []));
    variants.push({
      variant: row.variant,
      users: Number(row.users),
      converted: Number(row.converted),
      amount: Number(row.amount),
    });
  }
  return [...byExperiment].map(([experiment, variants]) => {
    const control = variants.find((v) => v.variant === query.control) ?? variants[0]!;
    const p0 = control.converted / control.users;
    return {
      experiment,
      control: control.variant,
      variants: variants.map((v) => {
        const p = v.converted / v.users;
        const margin = Z95 * Math.sqrt((p * (1 - p)) / v.users + (p0 * (1 - p0)) / control.users);
        const difference = p - p0;
        return {
          variant: v.variant,
          users: v.users,
          converted: v.converted,
          conversion: p,
          amount_per_user: v.amount / v.users,
          vs_control: v === control ? null : { difference, low: difference - margin, high: difference + margin },
        };
      }),
    };
  });
}
