import fs from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { onCluster } from './cluster-ddl.ts';
import { MigrationLock } from './migration-lock.ts';
import { WAREHOUSE_DB, WarehouseSchemaMissingError, type Warehouse, type WarehouseCapabilities } from './warehouse.ts';

/**
 * Numbered ClickHouse migrations (`migrations/NNNN_name.sql`), applied in order and recorded in
 * steplog.schema_migrations. Written here because no migration tool speaks to embedded chDB.
 * On a cluster every statement is rewritten for it (cluster-ddl.ts), the ledger included.
 */
export interface MigrationState {
  readonly version: number;
  readonly name: string;
  /** ISO time it was applied, or null when pending. */
  readonly appliedAt: string | null;
}

const MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));
const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export interface MigratorOptions {
  /** The ClickHouse cluster every table is replicated on (STEPLOG_CLICKHOUSE_CLUSTER), or none. */
  readonly cluster?: string | null;
  /** Where the migrations are (tests use other sets). */
  readonly dir?: string;
  /** How long to wait for another process's migrations (MigrationLock). */
  readonly lockWaitMs?: number;
}

export class WarehouseMigrator {
  private applying = 0;
  private readonly cluster: string | null;
  private readonly dir: string;
  private readonly lock: MigrationLock;

  constructor(
    private readonly warehouse: Warehouse,
    options: MigratorOptions = {},
  ) {
    this.cluster = options.cluster ?? null;
    this.dir = options.dir ?? MIGRATIONS_DIR;
    this.lock = new MigrationLock(warehouse, { ddl: (sql) => this.ddl(sql), waitMs: options.lockWaitMs });
  }

  /** Every migration, applied or pending; reads only (a warehouse never migrated has all pending). */
  async status(): Promise<MigrationState[]> {
    const applied = new Map<number, string>();
    try {
      const rows = await this.warehouse.query<{ version: number; applied_at: string }>(
        `SELECT version, toString(applied_at) AS applied_at FROM ${WAREHOUSE_DB}.schema_migrations`,
      );
      for (const row of rows) applied.set(Number(row.version), row.applied_at);
    } catch (error) {
      if (!(error instanceof WarehouseSchemaMissingError)) throw error;
    }
    return (await this.files()).map(({ version, name }) => ({
      version,
      name,
      appliedAt: applied.get(version) ?? null,
    }));
  }

  /** Whether `up` is applying migrations now (readiness answers 503 meanwhile). */
  get running(): boolean {
    return this.applying > 0;
  }

  /**
   * Applies every pending migration; returns the ones applied now (none when another process did).
   * With none pending it runs no DDL, so a process restarts while a replica is down (ON CLUSTER
   * waits for every replica).
   */
  async up(): Promise<MigrationState[]> {
    this.applying += 1;
    try {
      if ((await this.status()).every((m) => m.appliedAt !== null)) return [];
      await this.warehouse.exec(this.ddl(`CREATE DATABASE IF NOT EXISTS ${WAREHOUSE_DB}`));
      return await this.lock.hold(async () => {
        await this.ensureLedger();
        // A ledger row another replica took may not have reached this one yet.
        await this.warehouse.catchUp();
        return this.applyPending();
      });
    } finally {
      this.applying -= 1;
    }
  }

  private async applyPending(): Promise<MigrationState[]> {
    const done: MigrationState[] = [];
    for (const migration of await this.status()) {
      if (migration.appliedAt !== null) continue;
      const file = await fs.readFile(
        `${this.dir}${String(migration.version).padStart(4, '0')}_${migration.name}.sql`,
        'utf8',
      );
      if (this.supports(file)) {
        for (const statement of splitStatements(file)) await this.warehouse.exec(this.ddl(statement));
      }
      await this.warehouse.insert(`${WAREHOUSE_DB}.schema_migrations`, [
        { version: migration.version, name: migration.name, applied_at: Math.floor(Date.now() / 1000) },
      ]);
      done.push({ ...migration, appliedAt: new Date().toISOString() });
    }
    return done;
  }

  /**
   * A migration headed `-- requires: <capability>` tunes a feature some engines lack; on those it
   * is recorded as applied without running, so versions stay in step across engines.
   */
  private supports(file: string): boolean {
    const required = /^-- requires: (\w+)$/m.exec(file)?.[1];
    if (required === undefined) return true;
    if (!(required in this.warehouse.capabilities)) throw new Error(`unknown warehouse capability: ${required}`);
    return this.warehouse.capabilities[required as keyof WarehouseCapabilities];
  }

  private async ensureLedger(): Promise<void> {
    await this.warehouse.exec(this.ddl(`CREATE DATABASE IF NOT EXISTS ${WAREHOUSE_DB}`));
    await this.warehouse.exec(
      this.ddl(
        `CREATE TABLE IF NOT EXISTS ${WAREHOUSE_DB}.schema_migrations ` +
          `(version UInt32, name String, applied_at DateTime('UTC')) ENGINE = MergeTree() ORDER BY version`,
      ),
    );
  }

  /** A statement as it runs on this warehouse: rewritten for the cluster when there is one. */
  private ddl(statement: string): string {
    return this.cluster === null ? statement : onCluster(statement, this.cluster);
  }

  private async files(): Promise<{ version: number; name: string }[]> {
    return (await fs.readdir(this.dir))
      .map((file) => FILE_NAME.exec(file))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => ({ version: Number(match[1]), name: match[2]! }))
      .sort((a, b) => a.version - b.version);
  }
}

/** Statements end with `;` at the end of a line; `--` comment lines are dropped. */
export function splitStatements(sql: string): string[] {
  return sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n')
    .split(/;\s*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
