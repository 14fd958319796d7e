/** One line of the benchmark table. */
export interface Figure {
  readonly phase: string;
  readonly measure: string;
  readonly steplog: number;
  readonly unit: string;
  /** The same-run baseline, where the phase has one. */
  readonly baseline?: number;
  /** The ratio the issue sets as a target (steplog / baseline), or a ceiling for latencies. */
  readonly target?: string;
  readonly peakRssMiB?: number;
  readonly note?: string;
}

export const ratio = (figure: Figure): number | undefined =>
  figure.baseline === undefined || figure.baseline === 0 ? undefined : figure.steplog / figure.baseline;

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));
