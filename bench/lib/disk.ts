import { sql, type Kysely } from 'kysely';
import { WAREHOUSE_DB, type Warehouse } from '../../src/warehouse/warehouse.ts';

/** Bytes the SQLite store's pages hold now (free pages, which the file keeps, not counted). */
export async function sqliteBytesInUse(db: Kysely<unknown>): Promise<number> {
  const pragma = async (name: string) =>
    Number(Object.values((await sql.raw(`PRAGMA ${name}`).execute(db)).rows[0] as object)[0]);
  return ((await pragma('page_count')) - (await pragma('freelist_count'))) * (await pragma('page_size'));
}

/** Bytes on disk of the active parts of steplog's warehouse tables: `table` alone, and all of them. */
export async function warehouseBytes(warehouse: Warehouse, table: string): Promise<{ table: number; all: number }> {
  const [row] = await warehouse.query<{ table_bytes: string; all_bytes: string }>(
    `SELECT sumIf(bytes_on_disk, table = '${table}') AS table_bytes, sum(bytes_on_disk) AS all_bytes ` +
      `FROM system.parts WHERE database = '${WAREHOUSE_DB}' AND active`,
  );
  return { table: Number(row!.table_bytes), all: Number(row!.all_bytes) };
}

/** Empties every steplog table but the migration ledger: the raw tables and what their views fill. */
export async function emptyWarehouse(warehouse: Warehouse): Promise<void> {
  const tables = await warehouse.query<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = '${WAREHOUSE_DB}' AND engine LIKE '%MergeTree' ` +
      `AND name != 'schema_migrations'`,
  );
  for (const { name } of tables) await warehouse.exec(`TRUNCATE TABLE ${WAREHOUSE_DB}.${name}`);
}
