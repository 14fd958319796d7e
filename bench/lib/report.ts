import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

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
  /** The machine's 1-minute load average when the figure was taken: figures are noisy beside other work. */
  readonly loadAverage?: number;
  /** The same when the baseline was taken, where it was taken apart from the figure. */
  readonly baselineLoadAverage?: number;
  readonly note?: string;
}

/** The 1-minute load average now, for `Figure.loadAverage`. */
export const loadAverage = (): number => round(os.loadavg()[0]!, 2);

export const ratio = (figure: Figure): number | undefined =>
  figure.baseline === undefined || figure.baseline === 0 ? undefined : figure.steplog / figure.baseline;

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

/**
 * Writes a run's figures to bench/results/<date><suffix>.json with its duration and the `BENCH_*`
 * knobs it used (unset: the published defaults), so a short run is never mistaken for one; answers the path.
 */
export function writeResults(figures: readonly Figure[], startedAt: number, suffix = ''): string {
  const out = path.join(
    import.meta.dirname,
    '..',
    'results',
    `${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}${suffix}.json`,
  );
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const scale = Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_')));
  const run = { date: new Date().toISOString(), seconds: round((Date.now() - startedAt) / 1000), scale, figures };
  fs.writeFileSync(out, JSON.stringify(run, null, 2));
  return out;
}
