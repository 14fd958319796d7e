import type { Config, Role } from './config/config.ts';
import type { AppDeps } from './http/deps.ts';
import { learningIngestFamily, siteIngestFamily } from './ingest/ingest-family.ts';
import { BacklogGauge } from './ingest/backlog-gauge.ts';
import { GroupCommitter } from './ingest/group-commit.ts';
import { IngestService } from './ingest/ingest-service.ts';
import type { EventFamily } from './ingest/ingest-observer.ts';
import { EventLoader, Loader, type LoaderOptions } from './loader/loader.ts';
import { siteFamily } from './loader/site-denormalize.ts';
import { FamilyLoads } from './loader/family-loads.ts';
import { JobHeartbeat } from './loader/job-heartbeat.ts';
import { LoadScheduler } from './loader/scheduler.ts';
import { Metrics } from './metrics/metrics.ts';
import { timedWarehouse } from './metrics/timed-warehouse.ts';
import { backupSources } from './ops/backup.ts';
import type { Transport } from './queue/transport.ts';
import { createLogger } from './runtime/logger.ts';
import { outsideRequest } from './runtime/request-context.ts';
import type { KyselyStore } from './store/kysely/kysely-store.ts';
import type { Store } from './store/store.ts';
import { openDelivery, openStore, openWarehouse, type WarehouseHooks } from './adapters.ts';

/**
 * The composition root: wires the adapters src/adapters.ts opens into the pipeline. Everything
 * else receives the interfaces built here.
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

/** What tests may change in what the composition root builds; production passes none. */
export interface RuntimeHooks extends WarehouseHooks {
  readonly loader?: Partial<LoaderOptions>;
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
    // process died. With split roles other loaders' jobs may be running: the job heartbeat fails
    // those whose process stopped beating.
    if (role === 'all') await store.importJobs.failInterrupted('interrupted: the process stopped during this job');
  } catch (error) {
    await store?.close();
    await handle.close();
    throw error;
  }
  const log = createLogger(config);
  const { learning: delivery, site: siteDelivery, deadLetters } = openDelivery(config, store, log);
  const { transport } = delivery;
  const siteTransport = siteDelivery.transport;
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
    loadsHere: role !== 'api',
  });
  const jobHeartbeat = new JobHeartbeat(store.importJobs, { log: log.child({ component: 'jobs' }) });
  jobHeartbeat.start();
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
      await jobHeartbeat.stop();
      await delivery.close();
      await siteDelivery.close();
      await store.close();
      await handle.close();
    },
  };
}
