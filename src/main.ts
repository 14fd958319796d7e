import path from 'node:path';
import type { AppDeps } from './http/deps.ts';
import { createFirstKeys } from './runtime/issue-keys.ts';
import { buildApp, type App } from './server/app.ts';
import type { Config } from './config/config.ts';
import type { StoredSiteEvent } from './events/site-event.ts';
import { learningIngestFamily, siteIngestFamily } from './ingest/ingest-family.ts';
import { BacklogGauge } from './ingest/backlog-gauge.ts';
import { GroupCommitter } from './ingest/group-commit.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { EventLoader, Loader, type LoaderOptions } from './loader/loader.ts';
import { siteFamily } from './loader/site-denormalize.ts';
import { FamilyLoads } from './loader/family-loads.ts';
import { LoadScheduler } from './loader/scheduler.ts';
import { Metrics } from './metrics/metrics.ts';
import { timedWarehouse } from './metrics/timed-warehouse.ts';
import { OutboxDeadLetters } from './queue/outbox/dead-letter-list.ts';
import { siteOutbox } from './queue/outbox/outbox-family.ts';
import { OutboxTransport } from './queue/outbox/outbox-transport.ts';
import type { DeadLetters, Transport } from './queue/transport.ts';
import { closeOnSignals } from './runtime/graceful-shutdown.ts';
import { createLogger } from './runtime/logger.ts';
import { outsideRequest } from './runtime/request-context.ts';
import type { KyselyStore } from './store/kysely/kysely-store.ts';
import { openPostgresStore } from './store/postgres/postgres-store.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import { ChdbWarehouse } from './warehouse/drivers/chdb/chdb-warehouse.ts';
import { ClickHouseServerWarehouse } from './warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseMigrator } from './warehouse/migrator.ts';
import type { Warehouse } from './warehouse/warehouse.ts';

/**
 * The composition root: the only module that names concrete adapters. Everything else receives
 * the interfaces built here.
 */
export interface Runtime extends AppDeps {
  readonly store: Store;
  readonly transport: Transport;
  readonly loader: Loader;
  readonly scheduler: LoadScheduler;
  readonly metrics: Metrics;
  /** Every family's load, one import job per run: what `scheduler` runs. */
  readonly loads: FamilyLoads;
  readonly siteTransport: Pick<Transport<StoredSiteEvent>, 'backlog'>;
  close(): Promise<void>;
}

export interface WarehouseHandle {
  readonly warehouse: Warehouse;
  readonly migrator: WarehouseMigrator;
  /** Where the warehouse is, for messages. */
  readonly location: string;
  close(): Promise<void>;
}

/** What tests may change in what the composition root builds; production passes none. */
export interface RuntimeHooks {
  /** Wraps the warehouse every component receives (fault injection around any adapter). */
  readonly wrapWarehouse?: (warehouse: Warehouse) => Warehouse;
  readonly loader?: Partial<LoaderOptions>;
}

/**
 * Opens the configured warehouse alone (also for CLI commands); WarehouseInUseError when another
 * process owns it and must be reached through its server.
 */
export async function openWarehouse(config: Config, hooks: RuntimeHooks = {}): Promise<WarehouseHandle> {
  let opened: Warehouse;
  let location: string;
  if (config.clickhouseUrls === null) {
    location = path.join(config.dataDir, 'clickhouse');
    opened = ChdbWarehouse.open(location);
  } else {
    const server = await ClickHouseServerWarehouse.connect(config.clickhouseUrls, {
      requestTimeoutMs: config.clickhouseTimeoutMs,
    });
    location = server.location;
    opened = server;
  }
  const warehouse = hooks.wrapWarehouse?.(opened) ?? opened;
  return {
    warehouse,
    migrator: new WarehouseMigrator(warehouse),
    location,
    close: () => warehouse.close(),
  };
}

/**
 * Opens and migrates the OLTP store alone: PostgreSQL when configured, else SQLite in the data dir
 * (WAL: it may be shared with a running server).
 */
export async function openStore(config: Config): Promise<KyselyStore> {
  const store =
    config.databaseUrl === null
      ? openSqliteStore(path.join(config.dataDir, 'steplog.sqlite'))
      : openPostgresStore(config.databaseUrl);
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Opens every adapter, applies migrations, and wires the pipeline (the scheduler is not started). */
export async function openRuntime(config: Config, hooks: RuntimeHooks = {}): Promise<Runtime> {
  const handle = await openWarehouse(config, hooks);
  const { migrator } = handle;
  let store: KyselyStore | undefined;
  try {
    store = await openStore(config);
    await migrator.up();
    // Only one process owns the data dir, so a job still 'running' now was cut off when its process died.
    await store.importJobs.failInterrupted('interrupted: the process stopped during this job');
  } catch (error) {
    await store?.close();
    await handle.close();
    throw error;
  }
  const log = createLogger(config);
  const transport = new OutboxTransport(store);
  const siteTransport = new OutboxTransport(store, siteOutbox);
  const deadLetters = new OutboxDeadLetters(store.db);
  const metrics = new Metrics({ backlog: () => transport.backlog(), deadLetters: () => deadLetters.count() });
  // Only queries made for a mart or stats route are timed; everything else passes straight through.
  const warehouse = timedWarehouse(handle.warehouse, (mart, seconds) =>
    metrics.martQueryDuration.observe({ mart }, seconds),
  );
  // The loader metrics, like the backlog gauge and /readyz, count the learning family only.
  const loaderOptions = (family: string, observer?: Metrics): LoaderOptions => ({
    batchSize: config.batchSize,
    log: log.child({ component: 'loader', family }),
    observer,
    ...hooks.loader,
  });
  const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, loaderOptions('learning', metrics));
  const siteLoader = new EventLoader(siteTransport, siteFamily, store.importJobs, warehouse, loaderOptions('site'));
  // One bound over both families' undelivered events: they share the store's disk and the loader's time.
  const backlog = new BacklogGauge(
    config.maxBacklog,
    async () => (await transport.backlog()).events + (await siteTransport.backlog()).events,
  );
  await backlog.refresh();
  const loads = new FamilyLoads([loader, siteLoader], store.importJobs, log.child({ component: 'loader' }));
  const scheduler = new LoadScheduler(loads, {
    flushIntervalMs: config.flushIntervalMs,
    batchSize: config.batchSize,
    log,
    // A failed re-read keeps the previous reading, which can only over-estimate; the next load retries.
    onJob: () =>
      void backlog
        .refresh()
        .catch((error: unknown) => log.warn({ err: error }, 'backlog re-read failed; kept the last reading')),
    observer: metrics,
  });
  const committed = (n: number) => {
    backlog.added(n);
    // A load this starts is the pipeline's, not the request's: its log lines carry no request id.
    outsideRequest(() => scheduler.notifyAppended(n));
  };
  const ingest = new IngestService(
    learningIngestFamily,
    new GroupCommitter(store.eventLog, transport.enqueue),
    backlog,
    committed,
    Date.now,
    metrics,
  );
  const siteIngest = new IngestService(
    siteIngestFamily,
    new GroupCommitter(store.siteEventLog, siteTransport.enqueue),
    backlog,
    committed,
    Date.now,
    metrics,
  );
  return {
    log,
    store,
    catalog: store.catalog,
    eventLog: store.eventLog,
    importJobs: store.importJobs,
    admins: store.admins,
    savedQueries: store.savedQueries,
    apiKeys: store.apiKeys,
    warehouse,
    migrator,
    transport,
    deadLetters,
    loader,
    loads,
    scheduler,
    siteTransport,
    ingest,
    siteIngest,
    metrics,
    async close() {
      loads.stop();
      await scheduler.stop();
      await store.close();
      await handle.close();
    },
  };
}

/** API + loader in one process, until SIGINT/SIGTERM. */
export async function serve(config: Config, hooks: RuntimeHooks = {}): Promise<App> {
  const runtime = await openRuntime(config, hooks);
  const firstKeys = await createFirstKeys(runtime.store.apiKeys, config.dataDir);
  if (firstKeys !== null) process.stdout.write(firstKeys.message);
  const app = await buildApp(config, runtime);
  for (const key of firstKeys?.keys ?? []) {
    app.log.info({ audit: 'key_created', keyId: key.id, name: key.name, scope: key.scope }, 'API key created');
  }
  runtime.scheduler.start();
  closeOnSignals(runtime.log, config.shutdownTimeoutMs, async () => {
    // First the load (an import request in flight waits for it), then the requests, then the stores.
    runtime.loads.stop();
    await runtime.scheduler.stop();
    await app.close();
    await runtime.close();
  });
  await app.listen({ host: config.host, port: config.port });
  app.log.info(
    { dataDir: config.dataDir, flushIntervalMs: config.flushIntervalMs, batchSize: config.batchSize },
    'steplog is serving',
  );
  return app;
}

/** The dead letters alone, for the CLI: they live in the store, which a running server shares. */
export async function openDeadLetters(config: Config): Promise<{ deadLetters: DeadLetters; close(): Promise<void> }> {
  const store = await openStore(config);
  return { deadLetters: new OutboxDeadLetters(store.db), close: () => store.close() };
}
