import type { Config } from '../config/config.ts';
import type { NewSiteEvent, StoredSiteEvent } from '../events/site-event.ts';
import type { SiteEventInput } from '../events/site-schemas.ts';
import type { IngestService } from '../ingest/ingest-service.ts';
import type { LoadScheduler } from '../loader/scheduler.ts';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';
import type { BackupSources } from '../ops/backup.ts';
import type { DeadLetters, Transport } from '../queue/transport.ts';
import type { AdminAccounts } from '../store/admin-accounts.ts';
import type { ApiKeyStore } from '../store/api-keys.ts';
import type { Catalog } from '../store/catalog.ts';
import type { EventLog } from '../store/event-log.ts';
import type { ImportJobs } from '../store/import-jobs.ts';
import type { SavedQueries } from '../store/saved-queries.ts';
import type { SiteEventLog } from '../store/site-event-log.ts';
import type { UserErasureStore } from '../store/user-erasure.ts';
import type { WarehouseMigrator } from '../warehouse/migrator.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** What the routes use; built once in src/main.ts. Events are written only through `ingest`. */
export interface AppDeps {
  readonly catalog: Catalog;
  readonly eventLog: Pick<EventLog, 'receivedPerMinute' | 'listEvents'>;
  readonly siteEventLog: Pick<SiteEventLog, 'receivedPerMinute'>;
  readonly importJobs: Pick<ImportJobs, 'list' | 'finishedSince'>;
  readonly admins: AdminAccounts;
  readonly savedQueries: SavedQueries;
  readonly apiKeys: ApiKeyStore;
  readonly userErasure: UserErasureStore;
  readonly ingest: IngestService;
  readonly siteIngest: IngestService<SiteEventInput, NewSiteEvent, StoredSiteEvent>;
  readonly scheduler: Pick<LoadScheduler, 'run' | 'exclusive'>;
  readonly transport: Pick<Transport, 'backlog' | 'discard'>;
  /** The site family's backlog and erasure (its events travel by their own outbox). */
  readonly siteTransport: Pick<Transport<StoredSiteEvent>, 'backlog' | 'discard'>;
  readonly deadLetters: DeadLetters;
  readonly log: Logger;
  readonly warehouse: Warehouse;
  readonly migrator: WarehouseMigrator;
  readonly metrics: Metrics;
  readonly backupSources: BackupSources;
}

export type RouteOptions = AppDeps & { readonly config: Config };
