import { Migrator, type Kysely, type Migration } from 'kysely';
import type { Store } from '../store.ts';
import { KyselyAdminAccounts } from './admin-queries.ts';
import { KyselyApiKeys } from './api-key-queries.ts';
import { KyselyCatalog } from './catalog-queries.ts';
import type { Database } from './database.ts';
import { KyselyEventLog } from './event-log-queries.ts';
import { KyselyImportJobs } from './import-job-queries.ts';
import { KyselyRetention } from './retention-queries.ts';
import { KyselySavedQueries } from './saved-query-queries.ts';
import { KyselySiteEventLog } from './site-event-log-queries.ts';
import { KyselySnapshot } from './snapshot-queries.ts';
import type { SqlDialect, StoreCapabilities } from './sql-dialect.ts';
import { KyselyUserErasure } from './user-erasure-queries.ts';

/**
 * A SQL store: the query modules, written once with Kysely for every dialect, over one database.
 * A dialect adapter (sqlite/, postgres/) supplies the Kysely instance, its migrations and a
 * `SqlDialect`. `db` is exposed for adapters that keep their tables in the same database (the outbox).
 */
export class KyselyStore implements Store {
  readonly catalog: KyselyCatalog;
  readonly eventLog: KyselyEventLog;
  readonly siteEventLog: KyselySiteEventLog;
  readonly importJobs: KyselyImportJobs;
  readonly admins: KyselyAdminAccounts;
  readonly savedQueries: KyselySavedQueries;
  readonly apiKeys: KyselyApiKeys;
  readonly userErasure: KyselyUserErasure;
  readonly retention: KyselyRetention;
  readonly snapshot: KyselySnapshot;
  /** What the dialect can do that the shared queries use when present. */
  readonly capabilities: StoreCapabilities;

  constructor(
    readonly db: Kysely<Database>,
    dialect: SqlDialect,
    private readonly migrations: Record<string, Migration>,
  ) {
    this.catalog = new KyselyCatalog(db, dialect);
    this.eventLog = new KyselyEventLog(db, dialect);
    this.siteEventLog = new KyselySiteEventLog(db, dialect);
    this.importJobs = new KyselyImportJobs(db);
    this.admins = new KyselyAdminAccounts(db, dialect);
    this.savedQueries = new KyselySavedQueries(db);
    this.apiKeys = new KyselyApiKeys(db, dialect);
    this.userErasure = new KyselyUserErasure(db);
    this.retention = new KyselyRetention(db);
    this.snapshot = new KyselySnapshot(db, dialect);
    this.capabilities = dialect.capabilities;
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({ db: this.db, provider: { getMigrations: () => Promise.resolve(this.migrations) } });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
