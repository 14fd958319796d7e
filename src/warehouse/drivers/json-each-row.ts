import type { InsertRows } from '../warehouse.ts';

/** Rows as one JSONEachRow text: objects encoded here, lines encoded by the caller taken as they are. */
export const jsonEachRow = (rows: InsertRows): string =>
  rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row))).join('\n');
