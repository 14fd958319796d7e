import Table from 'cli-table3';
import type { RetryReason } from './http-client.ts';
import type { Verification } from './verify.ts';
import type { Percentiles } from './visibility.ts';

export interface LoadReport extends Verification {
  readonly family: string;
  readonly runTag: string;
  readonly urls: readonly string[];
  readonly sent: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejections: readonly string[];
  readonly ingestSeconds: number;
  readonly ingestEventsPerSecond: number;
  readonly retries: Record<RetryReason, number>;
  readonly visibility: Percentiles;
  /** No missing, duplicated, view-gap or unexpected event and every count and attribute matches. */
  readonly ok: boolean;
}

export const isDeliveryProven = (v: Verification): boolean =>
  v.missing === 0 &&
  v.duplicated === 0 &&
  v.viewGaps === 0 &&
  v.unexpected === 0 &&
  v.dayActionMismatches.length === 0 &&
  v.attributeMismatches.length === 0;

const ms = (value: number | null) => (value === null ? 'n/a' : `${value} ms`);

export function formatReport(r: LoadReport): string {
  const table = new Table({
    head: ['steplog load', r.ok ? 'DELIVERED EXACTLY ONCE' : 'FAILED'],
    style: { head: [], border: [] },
  });
  table.push(
    ['run', `${r.family} ${r.runTag} → ${r.urls.join(' ')}`],
    ['sent', r.sent],
    ['accepted', r.accepted],
    ['rejected', r.rejected],
    ['delivered', r.delivered],
    ['missing', r.missing],
    ['duplicated', r.duplicated],
    ['view gaps (rows the aggregates missed)', r.viewGaps],
    ['unexpected', r.unexpected],
    ['ingest', `${r.ingestEventsPerSecond} events/s (${r.ingestSeconds.toFixed(1)} s)`],
    [
      'retries',
      Object.entries(r.retries)
        .map(([reason, n]) => `${reason} ${n}`)
        .join(', '),
    ],
    [
      '2xx → visible in ClickHouse',
      `p50 ${ms(r.visibility.p50Ms)}, p95 ${ms(r.visibility.p95Ms)}, p99 ${ms(r.visibility.p99Ms)} (${r.visibility.sampled} sampled)`,
    ],
    ['per-day count mismatches', r.dayActionMismatches.length],
    ['field / attribute mismatches', r.attributeMismatches.length],
  );
  const details = [
    ...r.missingIds.map((id) => `missing ${id}`),
    ...r.duplicatedIds.map((id) => `duplicated ${id}`),
    ...r.viewGapIds.map((id) => `view gap ${id}`),
    ...r.dayActionMismatches,
    ...r.attributeMismatches,
    ...r.rejections.map((message) => `rejected: ${message}`),
  ];
  return [table.toString(), ...details].join('\n');
}
