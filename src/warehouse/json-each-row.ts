import type { InsertRows } from './warehouse.ts';

/** Rows as JSONEachRow text: objects encoded here, text encoded by the caller taken as it is. */
export const jsonEachRow = (rows: InsertRows): Buffer =>
  Buffer.isBuffer(rows) ? rows : Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n'));
