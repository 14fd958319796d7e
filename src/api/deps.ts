import type { Config } from '../config/config.ts';
import type { IngestService } from '../ingest/ingest-service.ts';
import type { LoadScheduler } from '../loader/scheduler.ts';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';
import type { DeadLetters, Transport } from '../queue/transport.ts';
import type { OltpStore } from '../store/store.ts';
import type { WarehouseMigrator } from '../warehouse/migrator.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** What the routes use; built once in src/main.ts. */
export interface AppDeps {
  readonly store: OltpStore;
  readonly ingest: IngestService;
  readonly scheduler: Pick<LoadScheduler, 'run' | 'exclusive'>;
  readonly transport: Pick<Transport, 'backlog'>;
  readonly deadLetters: DeadLetters;
  readonly log: Logger;
  readonly warehouse: Warehouse;
  readonly migrator: WarehouseMigrator;
  readonly metrics: Metrics;
}

export type RouteOptions = AppDeps & { readonly config: Config };
