import path from 'node:path';
import type { Logger } from 'pino';
import { buildApp, type App } from './api/app.ts';
import { createFirstKeys } from './auth/keys.ts';
import type { Config } from './config/config.ts';
import { BacklogGauge } from './ingest/backlog-gauge.ts';
import { GroupCommitter } from './ingest/group-commit.ts';
import { IngestService } from './ingest/ingest-service.ts';
import { Loader, type LoaderOptions } from './loader/loader.ts';
import { LoadScheduler } from './loader/scheduler.ts';
import { Metrics } from './metrics/metrics.ts';
import { timedWarehouse } from './metrics/timed-warehouse.ts';
import { OutboxDeadLetters } from './queue/outbox/dead-letter-list.ts';
import { OutboxTransport } from './queue/outbox/outbox-transport.ts';
import type { DeadLetters, Transport } from './queue/transport.ts';
import { lockDataDir } from './runtime/data-dir-lock.ts';
import { closeOnSignals } from './runtime/graceful-shutdown.ts';
import { scheduleRetention } from './ops/retention.ts';
import { createLogger } from './runtime/logger.ts';
import { outsideRequest } from './runtime/request-context.ts';
import { SqliteStore } from './store/sqlite/sqlite-store.ts';
import type { OltpStore } from './store/store.ts';
import { ChdbWarehouse } from './warehouse/drivers/chdb-warehouse.ts';
import { WarehouseMigrator } from './warehouse/migrator.ts';
import type { Warehouse } from './warehouse/warehouse.ts';

/**
 * The composition root: the only module that names concrete adapters. Everything else receives
 * the interfaces built here.
 */
export interface Runtime {
  readonly log: Logger;
  readonly store: OltpStore;
  readonly warehouse: Warehouse;
  readonly migrator: WarehouseMigrator;
  readonly transport: Transport;
  readonly deadLetters: DeadLetters;
  readonly loader: Loader;
  readonly scheduler: LoadScheduler;
  readonly ingest: IngestService;
  readonly metrics: Metrics;
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
export async function openStore(config: Config): Promise<SqliteStore> {
  const store = SqliteStore.open(path.join(config.dataDir, 'steplog.sqlite'));
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
  const { migrator } = handle;
  let store: SqliteStore | undefined;
  try {
    store = await openStore(config);
    await migrator.up();
    // Only one process owns the data dir, so a job still 'running' now was cut off when its process died.
    await store.failInterruptedImportJobs('interrupted: the process stopped during this job');
  } catch (error) {
    await store?.close();
    await handle.close();
    throw error;
  }
  const log = createLogger(config);
  const transport = new OutboxTransport(store);
  const deadLetters = new OutboxDeadLetters(store);
  const metrics = new Metrics(
    { backlog: () => transport.backlog(), deadLetters: () => deadLetters.count() },
    { flushIntervalMs: config.flushIntervalMs },
  );
  // Only queries made for a mart or stats route are timed; everything else passes straight through.
  const warehouse = timedWarehouse(handle.warehouse, (mart, seconds) =>
    metrics.martQueryDuration.observe({ mart }, seconds),
  );
  const loader = new Loader(transport, store, warehouse, {
    batchSize: config.batchSize,
    log: log.child({ component: 'loader' }),
    observer: metrics,
    ...loaderHooks,
  });
  const backlog = new BacklogGauge(config.maxBacklog, async () => (await transport.backlog()).events);
  await backlog.refresh();
  const scheduler = new LoadScheduler(loader, {
    flushIntervalMs: config.flushIntervalMs,
    batchSize: config.batchSize,
    // A failed re-read keeps the previous reading, which can only over-estimate; the next load retries.
    onJob: () => void backlog.refresh().catch(() => undefined),
    observer: metrics,
  });
  const ingest = new IngestService(
    new GroupCommitter(store),
    backlog,
    (n) => {
      backlog.added(n);
      // A load this starts is the pipeline's, not the request's: its log lines carry no request id.
      outsideRequest(() => scheduler.notifyAppended(n));
    },
    Date.now,
    metrics,
  );
  return {
    log,
    store,
    warehouse,
    migrator,
    transport,
    deadLetters,
    loader,
    scheduler,
    ingest,
    metrics,
    async close() {
      loader.stop();
      await scheduler.stop();
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
  const stopRetention =
    config.retentionMs === null ? () => undefined : scheduleRetention(runtime, config.retentionMs, runtime.log);
  closeOnSignals(runtime.log, config.shutdownTimeoutMs, async () => {
    stopRetention();
    // First the load (an import request in flight waits for it), then the requests, then the stores.
    runtime.loader.stop();
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
  return { deadLetters: new OutboxDeadLetters(store), close: () => store.close() };
}
