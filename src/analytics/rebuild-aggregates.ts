import { localCopy } from '../warehouse/cluster-ddl.ts';
import { FAMILY_TABLES, type FamilyTables } from '../warehouse/event-families.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';

export interface RebuildRange {
  /** Inclusive UTC days, YYYY-MM-DD; both absent means every month. Widened to whole months. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export interface RebuiltTable {
  readonly table: string;
  /** Partitions replaced (YYYYMM, or "all" for an unpartitioned table). */
  readonly partitions: string[];
  readonly rows: number;
}

const month = (day: string): number => Number(day.slice(0, 4)) * 100 + Number(day.slice(5, 7));

/**
 * Recomputes a family's aggregates (learning by default) from its raw events, for a schema change or a repair. Each table is
 * rebuilt into a staging copy by its own materialized view's SELECT (read back from the
 * warehouse, so the two never drift), then swapped in partition by partition with REPLACE
 * PARTITION, which is atomic per partition: readers see the old month or the new one. The staging
 * copy is a local table on the replica at hand even on a cluster; REPLACE PARTITION into a
 * replicated table passes the new parts on to the other replicas. Loads must
 * be held off for the whole call (LoadScheduler.exclusive), or a batch loaded meanwhile could be
 * missing from the staging copy and lost by the swap.
 */
export async function rebuildAggregates(
  warehouse: Warehouse,
  range: RebuildRange = {},
  family: FamilyTables = FAMILY_TABLES.learning,
): Promise<RebuiltTable[]> {
  const months =
    range.from === undefined && range.to === undefined
      ? undefined
      : { from: month(range.from ?? '1970-01-01'), to: month(range.to ?? '2105-12-31') };
  const out: RebuiltTable[] = [];
  const source = `${WAREHOUSE_DB}.${family.events}`;
  const fromSource = new RegExp(`\\bFROM ${source.replace('.', '\\.')}\\b`);
  for (const { table, monthly } of family.aggregates) {
    const target = `${WAREHOUSE_DB}.${table}`;
    const staging = `${WAREHOUSE_DB}.${table}_rebuild`;
    const scope = monthly && months ? `WHERE toYYYYMM(time) BETWEEN ${months.from} AND ${months.to}` : '';
    const select = (await viewSelect(warehouse, `${target}_mv`)).replace(
      fromSource,
      `FROM (SELECT * FROM ${source} ${scope})`,
    );
    await warehouse.exec(`DROP TABLE IF EXISTS ${staging}`);
    await warehouse.exec(localCopy(await createStatement(warehouse, target), staging));
    try {
      await warehouse.exec(`INSERT INTO ${staging} ${select}`);
      const fresh = await partitions(warehouse, staging);
      const inScope = (p: string) => !monthly || !months || (Number(p) >= months.from && Number(p) <= months.to);
      const stale = [...(await partitions(warehouse, target))].filter((p) => inScope(p) && !fresh.has(p));
      for (const id of fresh)
        await warehouse.exec(`ALTER TABLE ${target} REPLACE PARTITION ID '${id}' FROM ${staging}`);
      for (const id of stale) await warehouse.exec(`ALTER TABLE ${target} DROP PARTITION ID '${id}'`);
      const [count] = await warehouse.query<{ rows: string | number }>(`SELECT count() AS rows FROM ${staging}`);
      out.push({ table, partitions: [...fresh].sort(), rows: Number(count?.rows ?? 0) });
    } finally {
      await warehouse.exec(`DROP TABLE IF EXISTS ${staging}`);
    }
  }
  return out;
}

/** The SELECT of a materialized view, from its CREATE statement. */
async function viewSelect(warehouse: Warehouse, view: string): Promise<string> {
  const statement = await createStatement(warehouse, view);
  const at = statement.search(/\bAS\s+SELECT\b/);
  if (at < 0) throw new Error(`cannot read the SELECT of ${view}`);
  return statement.slice(at + 2).trim();
}

async function createStatement(warehouse: Warehouse, table: string): Promise<string> {
  const [row] = await warehouse.query<{ statement: string }>(`SHOW CREATE TABLE ${table}`);
  if (row === undefined) throw new Error(`cannot read the CREATE statement of ${table}`);
  return row.statement;
}

/** Ids of a table's active partitions: YYYYMM, or "all" when unpartitioned. */
async function partitions(warehouse: Warehouse, table: string): Promise<Set<string>> {
  const [database, name] = table.split('.');
  const rows = await warehouse.query<{ partition_id: string }>(
    `SELECT DISTINCT partition_id FROM system.parts WHERE database = {database:String} AND table = {table:String} AND active`,
    { database: database!, table: name! },
  );
  return new Set(rows.map((r) => r.partition_id));
}
