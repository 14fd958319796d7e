import path from 'node:path';
import { pino } from 'pino';
import { buildApp, type App } from './api/app.ts';
import type { AppDeps } from './api/deps.ts';
import { createFirstKeys } from './auth/keys.ts';
import type { Config } from './config/config.ts';
import type { StoredSiteEvent } from './events/site-event.ts';
import { acceptEvent, acceptSiteEvent } from './ingest/accept.ts';
import { BacklogGauge } from './ingest/backlog-gauge.ts';
import { GroupCommitter } from './ingest/group-commit.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { EventLoader, Loader, type LoaderOptions } from './loader/loader.ts';
import { siteFamily } from './loader/site-denormalize.ts';
import { LoadScheduler } from './loader/scheduler.ts';
import { OutboxDeadLetters } from './queue/outbox/dead-letter-list.ts';
import { siteOutbox } from './queue/outbox/outbox-family.ts';
import { OutboxTransport } from './queue/outbox/outbox-transport.ts';
import type { DeadLetters, Transport } from './queue/transport.ts';
import { lockDataDir } from './runtime/data-dir-lock.ts';
import { closeOnSignals } from './runtime/graceful-shutdown.ts';
import type { KyselyStore } from './store/kysely/kysely-store.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import { ChdbWarehouse } from './warehouse/drivers/chdb-warehouse.ts';
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
  /** The site events' own loader and its schedule: the same machinery over the site tables. */
  readonly siteLoader: Pick<Loader, 'run' | 'stop'>;
  readonly siteScheduler: LoadScheduler;
  readonly siteTransport: Pick<Transport<StoredSiteEvent>, 'backlog'>;
  close(): Promise<void>;
}

export interface WarehouseHandle {
  readonly warehouse: Warehouse;
  readonly migrator: WarehouseMigrator;
  close(): Promise<void>;
}

/** Opens the warehouse alone (CLI commands when no server owns the data dir). */
export function openWarehouse(config: Config): WarehouseHandle {
  const release = lockDataDir(config.dataDir);
  const warehouse = ChdbWarehouse.open(path.join(config.dataDir, 'clickhouse'), {
    downWhileFileExists: config.faultWarehouseDownFile,
  });
  return {
    warehouse,
    migrator: new WarehouseMigrator(warehouse),
    async close() {
      await warehouse.close();
      release();
    },
  };
}

/** Opens and migrates the OLTP store alone: SQLite (WAL) may be shared with a running server. */
export async function openStore(config: Config): Promise<KyselyStore> {
  const store = openSqliteStore(path.join(config.dataDir, 'steplog.sqlite'));
  try {
    await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Opens every adapter, applies migrations, and wires the pipeline (the scheduler is not started). */
export async function openRuntime(config: Config, loaderHooks: Partial<LoaderOptions> = {}): Promise<Runtime> {
  const handle = openWarehouse(config);
  const { warehouse, migrator } = handle;
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
  const log = pino({ level: config.logLevel });
  const transport = new OutboxTransport(store.db);
  const siteTransport = new OutboxTransport(store.db, siteOutbox);
  const loaderOptions = (family: string): LoaderOptions => ({
    batchSize: config.batchSize,
    log: log.child({ component: 'loader', family }),
    ...loaderHooks,
  });
  const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, loaderOptions('learning'));
  const siteLoader = new EventLoader(siteTransport, siteFamily, store.importJobs, warehouse, loaderOptions('site'));
  // One bound over both families' undelivered events: they share the store's disk and the loader's time.
  const backlog = new BacklogGauge(
    config.maxBacklog,
    async () => (await transport.backlog()).events + (await siteTransport.backlog()).events,
  );
  await backlog.refresh();
  const scheduled = (run: Pick<Loader, 'run'>) =>
    new LoadScheduler(run, {
      flushIntervalMs: config.flushIntervalMs,
      batchSize: config.batchSize,
      // A failed re-read keeps the previous reading, which can only over-estimate; the next load retries.
      onJob: () => void backlog.refresh().catch(() => undefined),
    });
  const scheduler = scheduled(loader);
  const siteScheduler = scheduled(siteLoader);
  const committed = (family: LoadScheduler) => (n: number) => {
    backlog.added(n);
    family.notifyAppended(n);
  };
  const ingest = new IngestService(
    acceptEvent,
    new GroupCommitter(store.eventLog, transport.enqueue),
    backlog,
    committed(scheduler),
  );
  const siteIngest = new IngestService(
    acceptSiteEvent,
    new GroupCommitter(store.siteEventLog, siteTransport.enqueue),
    backlog,
    committed(siteScheduler),
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
    deadLetters: new OutboxDeadLetters(store.db),
    loader,
    scheduler,
    siteLoader,
    siteScheduler,
    siteTransport,
    ingest,
    siteIngest,
    async close() {
      loader.stop();
      siteLoader.stop();
      await scheduler.stop();
      await siteScheduler.stop();
      await store.close();
      await handle.close();
    },
  };
}

/** API + loader in one process, until SIGINT/SIGTERM. */
export async function serve(config: Config): Promise<App> {
  const runtime = await openRuntime(config);
  const firstKeys = await createFirstKeys(runtime.store.apiKeys, config.dataDir);
  if (firstKeys !== null) process.stdout.write(firstKeys.message);
  const app = await buildApp(config, runtime);
  for (const key of firstKeys?.keys ?? []) {
    app.log.info({ audit: 'key_created', keyId: key.id, name: key.name, scope: key.scope }, 'API key created');
  }
  runtime.scheduler.start();
  runtime.siteScheduler.start();
  closeOnSignals(runtime.log, config.shutdownTimeoutMs, async () => {
    // First the load (an import request in flight waits for it), then the requests, then the stores.
    runtime.loader.stop();
    runtime.siteLoader.stop();
    await runtime.scheduler.stop();
    await runtime.siteScheduler.stop();
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
