import type { WarehouseRow } from './family.ts';
import { utcDayPrefix } from './warehouse-time.ts';

export interface Block<R extends WarehouseRow = WarehouseRow> {
  readonly token: string;
  readonly rows: readonly R[];
}

/**
 * A batch's rows as insert blocks, one per month of event time: every table steplog writes is
 * partitioned by month (or not at all), so each block touches one partition — inside ClickHouse's
 * bound on partitions per insert, whatever mix of dates a batch holds, and atomic per table. The
 * blocks and their tokens depend only on the batch's rows, so a batch re-formed after a crash is
 * cut into the same blocks under the same tokens.
 */
export function monthBlocks<R extends WarehouseRow>(token: string, rows: readonly R[]): Block<R>[] {
  const months = byMonth(rows);
  if (months.size === 1) return [{ token, rows }];
  return [...months]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, part]) => ({ token: `${token}/m${month}`, rows: part }));
}

/** Rows by the UTC month ('YYYY-MM') of their event time, each month's in their order. */
export function byMonth<R extends WarehouseRow>(rows: readonly R[]): Map<string, R[]> {
  const months = new Map<string, R[]>();
  const monthOf = utcDayPrefix(7);
  for (const row of rows) {
    const month = monthOf(row.time);
    let part = months.get(month);
    if (!part) months.set(month, (part = []));
    part.push(row);
  }
  return months;
}

/** The two halves of a refused block, each with a token of its own derived from the block's. */
export function halves<R extends WarehouseRow>(block: Block<R>): [Block<R>, Block<R>] {
  const middle = Math.ceil(block.rows.length / 2);
  return [
    { token: `${block.token}/0`, rows: block.rows.slice(0, middle) },
    { token: `${block.token}/1`, rows: block.rows.slice(middle) },
  ];
}
