import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WarehouseMigrator } from '../../src/warehouse/migrator.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { tempDataDir } from '../helpers/server.ts';

const warehouse = ChdbWarehouse.open(path.join(tempDataDir(), 'clickhouse'));
afterAll(() => warehouse.close());

describe('migrations started twice at once', () => {
  it('wait for a lock left by a process that died, then say how to free it', async () => {
    await warehouse.exec(`CREATE DATABASE ${WAREHOUSE_DB}`);
    await warehouse.exec(`CREATE TABLE ${WAREHOUSE_DB}.migration_lock (holder String) ENGINE = Log`);
    await expect(new WarehouseMigrator(warehouse, { lockWaitMs: 300 }).up()).rejects.toThrow(
      /another process has been migrating the warehouse since .* free it with `DROP TABLE steplog\.migration_lock`/,
    );
    await warehouse.exec(`DROP TABLE ${WAREHOUSE_DB}.migration_lock`);
  });

  it('are applied once: one migrator applies them all, the other waits and finds none pending', async () => {
    const [a, b] = await Promise.all([new WarehouseMigrator(warehouse).up(), new WarehouseMigrator(warehouse).up()]);
    const all = (await new WarehouseMigrator(warehouse).status()).map((m) => m.version);
    expect([a.length, b.length].sort((x, y) => x - y)).toEqual([0, all.length]);
    const ledger = await warehouse.query<{ version: number }>(
      `SELECT version FROM ${WAREHOUSE_DB}.schema_migrations ORDER BY version`,
    );
    expect(ledger.map((row) => Number(row.version))).toEqual(all);
  });
});
