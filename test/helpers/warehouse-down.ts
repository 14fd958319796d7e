import fs from 'node:fs';
import { WarehouseError, type Warehouse } from '../../src/warehouse/warehouse.ts';

/**
 * Fault injection around any warehouse: while `file` exists every call fails with a WarehouseError,
 * as if ClickHouse were down; removing the file heals it.
 */
export function downWhileFileExists(warehouse: Warehouse, file: string): Warehouse {
  const up = () => {
    if (fs.existsSync(file)) throw new WarehouseError(`warehouse down: fault injected while ${file} exists`);
  };
  return {
    capabilities: warehouse.capabilities,
    async exec(sql) {
      up();
      return warehouse.exec(sql);
    },
    async query(sql, params) {
      up();
      return warehouse.query(sql, params);
    },
    async queryReadOnly(sql, options) {
      up();
      return warehouse.queryReadOnly(sql, options);
    },
    async insert(table, rows, token) {
      up();
      return warehouse.insert(table, rows, token);
    },
    close: () => warehouse.close(),
  };
}
