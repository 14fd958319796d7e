import fs from 'node:fs';
import { WarehouseError, type Warehouse } from '../../src/warehouse/warehouse.ts';

type Calls = Pick<Warehouse, 'exec' | 'query' | 'queryReadOnly' | 'insert'>;

/** A warehouse that answers like `warehouse` except for the calls in `overrides`. */
export function intercept(warehouse: Warehouse, overrides: Partial<Calls>): Warehouse {
  return {
    capabilities: warehouse.capabilities,
    exec: overrides.exec ?? ((sql) => warehouse.exec(sql)),
    query: overrides.query ?? ((sql, params) => warehouse.query(sql, params)),
    queryReadOnly: overrides.queryReadOnly ?? ((sql, options) => warehouse.queryReadOnly(sql, options)),
    insert: overrides.insert ?? ((table, rows, token) => warehouse.insert(table, rows, token)),
    catchUp: () => warehouse.catchUp(),
    close: () => warehouse.close(),
  };
}

/**
 * Fault injection around any warehouse: while `file` exists every call fails with a WarehouseError,
 * as if ClickHouse were down; removing the file heals it.
 */
export function downWhileFileExists(warehouse: Warehouse, file: string): Warehouse {
  const up = () => {
    if (fs.existsSync(file)) throw new WarehouseError(`warehouse down: fault injected while ${file} exists`);
  };
  return intercept(warehouse, {
    exec: async (sql) => (up(), warehouse.exec(sql)),
    query: async (sql, params) => (up(), warehouse.query(sql, params)),
    queryReadOnly: async (sql, options) => (up(), warehouse.queryReadOnly(sql, options)),
    insert: async (table, rows, token) => (up(), warehouse.insert(table, rows, token)),
  });
}

/**
 * The crash between a table and its views: the `nth` insert into `raw` (steplog.events unless
 * told) lands in the table and in every view but `views` (detached for it, as if the process died
 * before reaching them), then fails as the crashed process would have.
 */
export function crashBetweenTableAndViews(
  warehouse: Warehouse,
  views: readonly string[],
  nth = 2,
  raw = 'steplog.events',
): Warehouse {
  let inserts = 0;
  return intercept(warehouse, {
    async insert(table, rows, token) {
      if (table !== raw || ++inserts !== nth) return warehouse.insert(table, rows, token);
      for (const view of views) await warehouse.exec(`DETACH TABLE steplog.${view}`);
      try {
        await warehouse.insert(table, rows, token);
      } finally {
        for (const view of views) await warehouse.exec(`ATTACH TABLE steplog.${view}`);
      }
      throw new Error(`simulated crash: ${raw} holds the block, ${views.join(' and ')} never saw it`);
    },
  });
}
