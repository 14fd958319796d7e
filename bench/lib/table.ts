import Table from 'cli-table3';
import { ratio, type Figure } from './report.ts';

/** The figures as the terminal table every bench prints. */
export function figureTable(figures: readonly Figure[]): string {
  const table = new Table({
    head: ['phase', 'measure', 'steplog', 'baseline', 'ratio', 'target', 'peak RSS', 'load avg', 'note'],
  });
  for (const f of figures) {
    const r = ratio(f);
    table.push([
      f.phase,
      f.measure,
      `${f.steplog.toLocaleString('en')} ${f.unit}`,
      f.baseline === undefined ? '' : f.baseline.toLocaleString('en'),
      r === undefined ? '' : r.toFixed(2),
      f.target ?? '',
      f.peakRssMiB === undefined ? '' : `${f.peakRssMiB} MiB`,
      f.loadAverage === undefined
        ? ''
        : f.baselineLoadAverage === undefined
          ? String(f.loadAverage)
          : `${f.loadAverage} (baseline ${f.baselineLoadAverage})`,
      f.note ?? '',
    ]);
  }
  return table.toString();
}
