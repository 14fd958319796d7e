import path from 'node:path';
import type { ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import type { Config, Role } from './config/config.ts';
import type { StoredSiteEvent } from './events/site-event.ts';
import type { AppDeps } from './http/deps.ts';
import { learningIngestFamily, siteIngestFamily } from './ingest/ingest-family.ts';
import { BacklogGauge } from './ingest/backlog-gauge.ts';
import { GroupCommitter } from './ingest/group-commit.ts';
import { IngestService } from './ingest/ingest-service.ts';
import type { EventFamily } from './ingest/ingest-observer.ts';
import { EventLoader, Loader, type LoaderOptions } from './loader/loader.ts';
import { siteFamily } from './loader/site-denormalize.ts';
import { FamilyLoads } from './loader/family-loads.ts';
import { LoadScheduler } from './loader/scheduler.ts';
import { Metrics } from './metrics/metrics.ts';
import { timedWarehouse } from './metrics/timed-warehouse.ts';
import { OutboxDeadLetters } from './queue/outbox/dead-letter-list.ts';
import { familyDb, learningOutbox, siteOutbox, type OutboxFamily } from './queue/outbox/outbox-family.ts';
import { OutboxTransport } from './queue/outbox/outbox-transport.ts';
import { AmqpLink, EVENTS_QUEUE, SITE_EVENTS_QUEUE } from './queue/rabbitmq/amqp-link.ts';
import { OutboxRelay } from './queue/rabbitmq/outbox-relay.ts';
import { RabbitTransport } from './queue/rabbitmq/rabbitmq-transport.ts';
import type { DeadLetters, QueuedEvent, Transport } from './queue/transport.ts';
import { createLogger } from './runtime/logger.ts';
import { outsideRequest } from './runtime/request-context.ts';
import type { KyselyStore } from './store/kysely/kysely-store.ts';
import { openPostgresStore } from './store/postgres/postgres-store.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import { BackupUnsupportedError } from './errors/backup-unsupported.ts';
import { backupSources } from './ops/backup.ts';
import type { RestoreDeps } from './ops/restore.ts';
import { ChdbWarehouse } from './warehouse/drivers/chdb/chdb-warehouse.ts';
import { lockOwnerDir } from './warehouse/drivers/chdb/owner-lock.ts';
import { ClickHouseServerWarehouse } from './warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseMigrator } from './warehouse/migrator.ts';
import type { Warehouse, WarehouseCopy } from './warehouse/warehouse.ts';

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
  close(): Promise<void>;
}

export interface WarehouseHandle {
  readonly warehouse: Warehouse;
  readonly migrator: WarehouseMigrator;
  /** Where the warehouse is, for messages. */
  readonly location: string;
  readonly copy: WarehouseCopy;
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
  let opened: Warehouse & { readonly copy: WarehouseCopy };
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
    migrator: new WarehouseMigrator(warehouse, { cluster: config.clickhouseCluster }),
    location,
    copy: opened.copy,
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
export async function openRuntime(config: Config, hooks: RuntimeHooks = {}, role: Role = 'all'): Promise<Runtime> {
  const handle = await openWarehouse(config, hooks);
  const { migrator } = handle;
  let store: KyselyStore | undefined;
  try {
    store = await openStore(config);
    await migrator.up();
    // An `all` process owns the data dir alone, so a job still 'running' now was cut off when its
    // process died. With split roles other loaders' jobs may be running: they are left alone.
    if (role === 'all') await store.importJobs.failInterrupted('interrupted: the process stopped during this job');
  } catch (error) {
    await store?.close();
    await handle.close();
    throw error;
  }
  const log = createLogger(config);
  const delivery = openTransport(config, store, log, { name: 'learning', outbox: learningOutbox, queue: EVENTS_QUEUE });
  const { transport } = delivery;
  const siteDelivery = openTransport(config, store, log, {
    name: 'site',
    outbox: siteOutbox,
    queue: SITE_EVENTS_QUEUE,
  });
  const siteTransport = siteDelivery.transport;
  const deadLetters = new OutboxDeadLetters(store.db);
  const metrics = new Metrics(
    {
      backlog: async () => ({ learning: await transport.backlog(), site: await siteTransport.backlog() }),
      deadLetters: () => deadLetters.count(),
    },
    { flushIntervalMs: config.flushIntervalMs },
  );
  // Only queries made for a mart or stats route are timed; everything else passes straight through.
  const warehouse = timedWarehouse(handle.warehouse, (mart, seconds) =>
    metrics.martQueryDuration.observe({ mart }, seconds),
  );
  // The loader metrics and the backlog gauges count each family under its label.
  const loaderOptions = (family: EventFamily): LoaderOptions => ({
    batchSize: config.batchSize,
    retentionMs: config.retentionMs,
    log: log.child({ component: 'loader', family }),
    observer: metrics.loaderOf(family),
    ...hooks.loader,
  });
  const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, loaderOptions('learning'));
  const siteLoader = new EventLoader(siteTransport, siteFamily, store.importJobs, warehouse, loaderOptions('site'));
  // One bound over both families' undelivered events: they share the store's disk and the loader's time.
  const backlog = new BacklogGauge(
    config.maxBacklog,
    async () => (await transport.backlog()).events + (await siteTransport.backlog()).events,
  );
  await backlog.refresh();
  // A failed re-read keeps the previous reading, which can only over-estimate; the next re-read retries.
  const refreshBacklog = () =>
    void backlog
      .refresh()
      .catch((error: unknown) => log.warn({ err: error }, 'backlog re-read failed; kept the last reading'));
  const loads = new FamilyLoads([loader, siteLoader], store.importJobs, log.child({ component: 'loader' }));
  const scheduler = new LoadScheduler(loads, {
    flushIntervalMs: config.flushIntervalMs,
    batchSize: config.batchSize,
    log,
    onJob: refreshBacklog,
    observer: metrics,
  });
  // A process without loads of its own (--role api) learns of other processes' loads from this re-read.
  const backlogTimer = setInterval(refreshBacklog, config.flushIntervalMs);
  backlogTimer.unref();
  const committed = (notify: (n: number) => void) => (n: number) => {
    backlog.added(n);
    // What this starts (a load, a relay pass) is the pipeline's, not the request's: no request id.
    outsideRequest(() => notify(n));
  };
  const ingest = new IngestService(
    learningIngestFamily,
    new GroupCommitter(store.eventLog, transport.enqueue),
    backlog,
    committed((n) => delivery.committed(n)),
    Date.now,
    metrics,
    config.retentionMs,
  );
  const siteIngest = new IngestService(
    siteIngestFamily,
    new GroupCommitter(store.siteEventLog, siteTransport.enqueue),
    backlog,
    committed((n) => siteDelivery.committed(n)),
    Date.now,
    metrics,
    config.retentionMs,
  );
  delivery.onReady((n) => scheduler.notifyAppended(n));
  siteDelivery.onReady((n) => scheduler.notifyAppended(n));
  return {
    log,
    store,
    catalog: store.catalog,
    eventLog: store.eventLog,
    siteEventLog: store.siteEventLog,
    importJobs: store.importJobs,
    admins: store.admins,
    savedQueries: store.savedQueries,
    apiKeys: store.apiKeys,
    userErasure: store.userErasure,
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
    backupSources: backupSources(config.dataDir, store.snapshot, handle.copy),
    async close() {
      clearInterval(backlogTimer);
      loads.stop();
      await scheduler.stop();
      await delivery.close();
      await siteDelivery.close();
      await store.close();
      await handle.close();
    },
  };
}

interface TransportHandle<E extends QueuedEvent> {
  readonly transport: Transport<E>;
  /** Ingest committed this many events. */
  committed(events: number): void;
  /** Tells the loader's scheduler how many events became ready to load. */
  onReady(listener: (events: number) => void): void;
  close(): Promise<void>;
}

/** An event family's way through the transport: its outbox tables and its queue. */
interface TransportFamily<E extends QueuedEvent> {
  readonly name: EventFamily;
  readonly outbox: OutboxFamily<E>;
  readonly queue: string;
}

/**
 * A family's outbox read by the loader itself, or RabbitMQ: a relay publishes the outbox to the
 * family's queue and the loader consumes it.
 */
function openTransport<E extends QueuedEvent>(
  config: Config,
  store: KyselyStore,
  log: Logger,
  family: TransportFamily<E>,
): TransportHandle<E> {
  const outbox = new OutboxTransport<E>(store, family.outbox);
  let ready: (events: number) => void = () => undefined;
  if (config.amqpUrl === null) {
    return {
      transport: outbox,
      committed: (n) => ready(n),
      onReady: (l) => (ready = l),
      close: () => Promise.resolve(),
    };
  }
  const relayLog = log.child({ component: 'relay', family: family.name });
  const relayLink = new AmqpLink<ConfirmChannel>(config.amqpUrl, 'confirm', relayLog, undefined, family.queue);
  const relay = new OutboxRelay(outbox, relayLink, familyDb(store.db, family.outbox), {
    segmentSize: config.batchSize,
    intervalMs: config.flushIntervalMs,
    orphanAfterMs: Math.max(30_000, 3 * config.flushIntervalMs),
    log: relayLog,
    onPublished: (n) => ready(n),
  });
  const transport = new RabbitTransport<E>(config.amqpUrl, outbox, {
    prefetch: 2,
    log: log.child({ component: 'consumer', family: family.name }),
    queue: family.queue,
  });
  relay.start();
  return {
    transport,
    committed: (n) => relay.committed(n),
    onReady: (l) => (ready = l),
    async close() {
      await relay.stop();
      await relayLink.close();
      await transport.close();
    },
  };
}

/** Restoring a backup into the configured data dir: the embedded store and warehouse only. */
export function restoreTarget(config: Config): RestoreDeps {
  if (config.databaseUrl !== null || config.clickhouseUrls !== null) {
    throw new BackupUnsupportedError(
      'steplog restores only the embedded data dir (SQLite and chDB): restore PostgreSQL with pg_restore ' +
        'and a ClickHouse server with its RESTORE (or ATTACH PARTITION of frozen parts)',
    );
  }
  const dir = path.join(config.dataDir, 'clickhouse');
  return { own: () => lockOwnerDir(dir), restoreWarehouse: (copy) => ChdbWarehouse.restore(copy, dir) };
}

/** The dead letters alone, for the CLI: they live in the store, which a running server shares. */
export async function openDeadLetters(config: Config): Promise<{ deadLetters: DeadLetters; close(): Promise<void> }> {
  const store = await openStore(config);
  return { deadLetters: new OutboxDeadLetters(store.db), close: () => store.close() };
}

/** What erasing a user needs of the store and the transport, for the CLI when no server runs. */
export async function openErasureStores(config: Config): Promise<{
  catalog: Store['catalog'];
  userErasure: Store['userErasure'];
  transport: Pick<Transport, 'discard'>;
  siteTransport: Pick<Transport<StoredSiteEvent>, 'discard'>;
  close(): Promise<void>;
}> {
  const store = await openStore(config);
  return {
    catalog: store.catalog,
    userErasure: store.userErasure,
    transport: new OutboxTransport(store),
    siteTransport: new OutboxTransport(store, siteOutbox),
    close: () => store.close(),
  };
}
