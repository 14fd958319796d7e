import path from 'node:path';
import type { ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';
import type { Config } from './config/config.ts';
import type { StoredSiteEvent } from './events/site-event.ts';
import type { EventFamily } from './ingest/ingest-observer.ts';
import { BackupUnsupportedError } from './errors/backup-unsupported.ts';
import type { RestoreDeps } from './ops/restore.ts';
import { OutboxDeadLetters } from './queue/outbox/dead-letter-list.ts';
import { familyDb, learningOutbox, siteOutbox, type OutboxFamily } from './queue/outbox/outbox-family.ts';
import { OutboxTransport } from './queue/outbox/outbox-transport.ts';
import { AmqpLink, EVENTS_QUEUE, SITE_EVENTS_QUEUE } from './queue/rabbitmq/amqp-link.ts';
import { OutboxRelay } from './queue/rabbitmq/outbox-relay.ts';
import { RabbitTransport } from './queue/rabbitmq/rabbitmq-transport.ts';
import type { DeadLetters, QueuedEvent, Transport } from './queue/transport.ts';
import type { KyselyStore } from './store/kysely/kysely-store.ts';
import { openPostgresStore } from './store/postgres/postgres-store.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';
import type { Store } from './store/store.ts';
import { ChdbWarehouse } from './warehouse/drivers/chdb/chdb-warehouse.ts';
import { lockOwnerDir } from './warehouse/drivers/chdb/owner-lock.ts';
import { ClickHouseServerWarehouse } from './warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseMigrator } from './warehouse/migrator.ts';
import type { Warehouse, WarehouseCopy } from './warehouse/warehouse.ts';

// The adapters, chosen from configuration: with src/main.ts (which wires them into the pipeline),
// the only module that names a concrete store, transport or warehouse.

export interface WarehouseHandle {
  readonly warehouse: Warehouse;
  readonly migrator: WarehouseMigrator;
  /** Where the warehouse is, for messages. */
  readonly location: string;
  readonly copy: WarehouseCopy;
  close(): Promise<void>;
}

/** What tests may change in the warehouse the adapters open; production passes none. */
export interface WarehouseHooks {
  /** Wraps the warehouse every component receives (fault injection around any adapter). */
  readonly wrapWarehouse?: (warehouse: Warehouse) => Warehouse;
}

/**
 * Opens the configured warehouse alone (also for CLI commands); WarehouseInUseError when another
 * process owns it and must be reached through its server.
 */
export async function openWarehouse(config: Config, hooks: WarehouseHooks = {}): Promise<WarehouseHandle> {
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

export interface TransportHandle<E extends QueuedEvent> {
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
      close: () => Promise.resolve(outbox.close()),
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
    onDelivered: (n) => ready(n),
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
      outbox.close();
    },
  };
}

/** Both families' ways through the configured transport, and the dead letters they share. */
export function openDelivery(config: Config, store: KyselyStore, log: Logger) {
  return {
    learning: openTransport(config, store, log, { name: 'learning', outbox: learningOutbox, queue: EVENTS_QUEUE }),
    site: openTransport(config, store, log, { name: 'site', outbox: siteOutbox, queue: SITE_EVENTS_QUEUE }),
    deadLetters: new OutboxDeadLetters(store.db) as DeadLetters,
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
