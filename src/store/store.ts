import type { AdminAccounts } from './admin-accounts.ts';
import type { ApiKeyStore } from './api-keys.ts';
import type { Catalog } from './catalog.ts';
import type { EventLog } from './event-log.ts';
import type { ImportJobs } from './import-jobs.ts';
import type { RetentionStore } from './retention.ts';
import type { SavedQueries } from './saved-queries.ts';
import type { SiteEventLog } from './site-event-log.ts';
import type { StoreSnapshot } from './snapshot.ts';
import type { UserErasureStore } from './user-erasure.ts';

/**
 * The OLTP boundary: SQLite embedded, PostgreSQL in production. Nothing above it knows which runs,
 * and each face or step is handed only the roles it uses.
 */
export interface Store {
  readonly catalog: Catalog;
  readonly eventLog: EventLog;
  readonly siteEventLog: SiteEventLog;
  readonly importJobs: ImportJobs;
  readonly admins: AdminAccounts;
  readonly savedQueries: SavedQueries;
  readonly apiKeys: ApiKeyStore;
  readonly userErasure: UserErasureStore;
  readonly retention: RetentionStore;
  readonly snapshot: StoreSnapshot;
  migrate(): Promise<void>;
  close(): Promise<void>;
}
