import type { WarehouseRow } from './family.ts';
import { utcDayPrefix } from './warehouse-time.ts';

export interface Block<R extends WarehouseRow = WarehouseRow> {
  readonly token: string;
  readonly rows: readonly R[];
}

/**
 * The most rows one insert carries. What an insert costs in memory grows with its payload (the
 * payload itself, and chDB's parse of it: about ten times the payload, 2.5 KB a learning row,
 * measured), so a batch is inserted in blocks of at most this many rows and about
 * INSERT_BLOCK_CHARS characters, and a load's memory beyond the rows it holds stays the same
 * whatever the batch size (src/config/memory-budget.ts). The default batch size: a default batch
 * of learning events is one insert per month.
 */
export const INSERT_BLOCK_ROWS = 10_000;

/** The most characters of payload one insert carries, about: 10,000 learning rows take 2.5 million. */
export const INSERT_BLOCK_CHARS = 4_000_000;

/**
 * A batch's rows as insert blocks: one per month of event time, each cut into pieces of at most
 * `maxRows` rows and about `maxChars` characters. Every table steplog writes is partitioned by
 * month (or not at all), so each block touches one partition — inside ClickHouse's bound on
 * partitions per insert, whatever mix of dates a batch holds, and atomic per table. The blocks and
 * their tokens depend only on the batch's rows and their order (the transport's, the same on every
 * receive), so a batch re-formed after a crash is cut into the same blocks under the same tokens.
 */
export function insertBlocks<R extends WarehouseRow>(
  token: string,
  rows: readonly R[],
  maxRows = INSERT_BLOCK_ROWS,
  maxChars = INSERT_BLOCK_CHARS,
): Block<R>[] {
  return monthBlocks(token, rows).flatMap((block) => pieces(block, maxRows, maxChars));
}

/**
 * A block in pieces of at most `maxRows` rows and about `maxChars` characters of payload, each
 * under a token of its own; a block that fits is kept whole, token and all.
 */
function pieces<R extends WarehouseRow>(block: Block<R>, maxRows: number, maxChars: number): Block<R>[] {
  const starts = [0];
  let chars = 0;
  block.rows.forEach((row, i) => {
    const size = payloadChars(row);
    const start = starts.at(-1)!;
    if (i > start && (i - start === maxRows || chars + size > maxChars)) {
      starts.push(i);
      chars = 0;
    }
    chars += size;
  });
  if (starts.length === 1) return [block];
  return starts.map((start, k) => ({
    token: `${block.token}/r${start}`,
    rows: block.rows.slice(start, starts[k + 1] ?? block.rows.length),
  }));
}

/** About how many characters a row takes in an insert's JSON payload: its names and values. */
function payloadChars(row: object): number {
  let chars = 2;
  for (const name in row) {
    const value: unknown = row[name as keyof typeof row];
    chars += name.length + 4;
    if (typeof value === 'string') chars += value.length + 2;
    else if (Array.isArray(value)) for (const item of value) chars += typeof item === 'string' ? item.length + 3 : 16;
    else chars += 16;
  }
  return chars;
}

function monthBlocks<R extends WarehouseRow>(token: string, rows: readonly R[]): Block<R>[] {
  const byMonth = new Map<string, R[]>();
  const monthOf = utcDayPrefix(7);
  for (const row of rows) {
    const month = monthOf(row.time);
    let block = byMonth.get(month);
    if (!block) byMonth.set(month, (block = []));
    block.push(row);
  }
  if (byMonth.size === 1) return [{ token, rows }];
  return [...byMonth]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([month, part]) => ({ token: `${token}/m${month}`, rows: part }));
}

/** The two halves of a refused block, each with a token of its own derived from the block's. */
export function halves<R extends WarehouseRow>(block: Block<R>): [Block<R>, Block<R>] {
  const middle = Math.ceil(block.rows.length / 2);
  return [
    { token: `${block.token}/0`, rows: block.rows.slice(0, middle) },
    { token: `${block.token}/1`, rows: block.rows.slice(middle) },
  ];
}
