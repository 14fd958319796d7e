import type { WarehouseRow } from './family.ts';
import { utcDayPrefix } from './warehouse-time.ts';

export interface Block<R extends WarehouseRow = WarehouseRow> {
  readonly token: string;
  readonly rows: readonly R[];
}

/**
 * The most rows one insert carries. What an insert costs in memory grows with its rows (the
 * payload, and chDB's parse of it: about ten times the payload, 2.5 KB a learning row, measured),
 * so a batch larger than this is inserted in blocks of at most this many, and a load's memory
 * beyond the rows it holds stays the same whatever the batch size (src/config/memory-budget.ts).
 * The default batch size: a default batch is one insert per month.
 */
export const INSERT_BLOCK_ROWS = 10_000;

/**
 * A batch's rows as insert blocks: one per month of event time, each cut into pieces of at most
 * `maxRows` rows. Every table steplog writes is partitioned by month (or not at all), so each block
 * touches one partition — inside ClickHouse's bound on partitions per insert, whatever mix of dates
 * a batch holds, and atomic per table. The blocks and their tokens depend only on the batch's rows
 * and their order (the transport's, the same on every receive), so a batch re-formed after a crash is cut into
 * the same blocks under the same tokens.
 */
export function insertBlocks<R extends WarehouseRow>(
  token: string,
  rows: readonly R[],
  maxRows = INSERT_BLOCK_ROWS,
): Block<R>[] {
  return monthBlocks(token, rows).flatMap((block) => pieces(block, maxRows));
}

/** A block in pieces of at most `maxRows` rows, each under a token of its own; a block that fits is kept whole, token and all. */
function pieces<R extends WarehouseRow>(block: Block<R>, maxRows: number): Block<R>[] {
  if (block.rows.length <= maxRows) return [block];
  const cut: Block<R>[] = [];
  for (let start = 0; start < block.rows.length; start += maxRows) {
    cut.push({ token: `${block.token}/r${start}`, rows: block.rows.slice(start, start + maxRows) });
  }
  return cut;
}

function monthBlocks<R extends WarehouseRow>(token: string, rows: readonly R[]): Block<R>[] {
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
