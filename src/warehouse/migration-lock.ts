import { WAREHOUSE_DB, type Warehouse } from './warehouse.ts';

/** How long a process waits for another one's migrations before it gives up. */
const WAIT_MS = 5 * 60_000;
const POLL_MS = 250;

/** TABLE_ALREADY_EXISTS: another process holds the lock. */
const HELD = /Code:\s*57\b/;

export interface MigrationLockOptions {
  /** The statement as it runs here (the migrator's cluster rewrite). */
  readonly ddl: (statement: string) => string;
  readonly waitMs?: number;
}

/**
 * One process migrates the warehouse at a time (two loaders may start at once). The lock is a
 * table: CREATE TABLE without IF NOT EXISTS succeeds for exactly one caller — on one server by its
 * DDL lock, on a cluster by the order of the ON CLUSTER queue in ZooKeeper, where the later CREATE
 * fails on every replica. A holder that died leaves the table: after `waitMs` the waiter fails
 * with the statement that frees it (no migration runs then, or the tables may be half-changed).
 */
export class MigrationLock {
  static readonly TABLE = `${WAREHOUSE_DB}.migration_lock`;

  constructor(
    private readonly warehouse: Warehouse,
    private readonly options: MigrationLockOptions,
  ) {}

  async hold<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      await this.warehouse.exec(this.options.ddl(`DROP TABLE IF EXISTS ${MigrationLock.TABLE}`));
    }
  }

  private async acquire(): Promise<void> {
    const create = this.options.ddl(`CREATE TABLE ${MigrationLock.TABLE} (holder String) ENGINE = Log`);
    const deadline = Date.now() + (this.options.waitMs ?? WAIT_MS);
    for (;;) {
      try {
        await this.warehouse.exec(create);
        return;
      } catch (error) {
        if (!(error instanceof Error) || !HELD.test(error.message)) throw error;
      }
      if (Date.now() > deadline) throw new Error(await this.heldMessage());
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private async heldMessage(): Promise<string> {
    const [row] = await this.warehouse.query<{ since: string }>(
      'SELECT toString(metadata_modification_time) AS since FROM system.tables ' +
        'WHERE database = {db:String} AND name = {name:String}',
      { db: WAREHOUSE_DB, name: 'migration_lock' },
    );
    return (
      `another process has been migrating the warehouse since ${row?.since ?? '?'} UTC ` +
      `(${MigrationLock.TABLE} exists). If none is running, free it with \`${this.options.ddl(
        `DROP TABLE ${MigrationLock.TABLE}`,
      )}\` and start again`
    );
  }
}
