import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import {
  REJECTION_REASONS,
  type EventFamily,
  type IngestObserver,
  type RejectionReason,
} from '../ingest/ingest-observer.ts';
import type { LoaderObserver } from '../loader/loader-observer.ts';
import type { Backlog } from '../queue/transport.ts';

/** What the scrape-time gauges read. */
export interface MetricSources {
  /** Each event family's undelivered events. */
  backlog(): Promise<Record<EventFamily, Backlog>>;
  deadLetters(): Promise<number>;
}

const FAMILIES: readonly EventFamily[] = ['learning', 'site'];

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * steplog's Prometheus metrics (prom-client), in one registry per process. It observes ingest and
 * the loader through their observer interfaces; the HTTP metrics are fed by `metricsPlugin`.
 */
export class Metrics implements IngestObserver, Pick<LoaderObserver, 'runEnded' | 'retryScheduled'> {
  readonly registry = new Registry();
  private readonly eventsAccepted = new Counter({
    name: 'steplog_events_accepted_total',
    help: 'Events answered 2xx by ingest (a repeated event_id included), by family',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });
  private readonly eventsRejected = new Counter({
    name: 'steplog_events_rejected_total',
    help: 'Events (or request bodies that could not be read as events) refused by ingest, by family and reason',
    labelNames: ['family', 'reason'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'steplog_http_request_duration_seconds',
    help: 'HTTP request duration, by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly loaderBatches = new Counter({
    name: 'steplog_loader_batches_total',
    help: 'Batches the loader settled in the warehouse, by family',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });
  private readonly loaderRows = new Counter({
    name: 'steplog_loader_rows_total',
    help: 'Rows the loader inserted, by family (learning: steplog.events, site: steplog.site_events)',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });
  private readonly loaderBatchDuration = new Histogram({
    name: 'steplog_loader_batch_duration_seconds',
    help: 'Time to form, insert and settle one batch, by family',
    labelNames: ['family'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  private readonly loaderRuns = new Counter({
    name: 'steplog_loader_runs_total',
    help: 'Load runs (import jobs), by outcome',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly loaderRetries = new Counter({
    name: 'steplog_loader_retries_total',
    help: 'Failed loads scheduled for a retry after back-off',
    registers: [this.registry],
  });
  private readonly loaderDeadLetters = new Counter({
    name: 'steplog_loader_dead_letters_total',
    help: 'Rows the warehouse refused for good, moved to the dead letters, by family',
    labelNames: ['family'] as const,
    registers: [this.registry],
  });
  readonly martQueryDuration = new Histogram({
    name: 'steplog_mart_query_duration_seconds',
    help: 'Warehouse query duration, by mart (the route that asked)',
    labelNames: ['mart'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  readonly adminLogins = new Counter({
    name: 'steplog_admin_logins_total',
    help: 'Admin logins to the web area, by result (ok, refused, rate_limited)',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  constructor(sources: MetricSources, settings: { readonly flushIntervalMs: number }) {
    collectDefaultMetrics({ register: this.registry });
    // The alert on the backlog's age compares it with two flush intervals.
    new Gauge({
      name: 'steplog_loader_flush_interval_seconds',
      help: 'STEPLOG_FLUSH_INTERVAL: how often the loader moves the backlog to the warehouse',
      registers: [this.registry],
    }).set(settings.flushIntervalMs / 1000);
    new Gauge({
      name: 'steplog_backlog_events',
      help: 'Events committed and not yet delivered to the warehouse, by family (read at scrape)',
      labelNames: ['family'] as const,
      registers: [this.registry],
      async collect() {
        const backlogs = await sources.backlog();
        for (const family of FAMILIES) this.set({ family }, backlogs[family].events);
      },
    });
    new Gauge({
      name: 'steplog_backlog_oldest_age_seconds',
      help: 'Age of the oldest undelivered event, 0 when the backlog is empty, by family (read at scrape)',
      labelNames: ['family'] as const,
      registers: [this.registry],
      async collect() {
        const backlogs = await sources.backlog();
        for (const family of FAMILIES) {
          const { oldestReceivedAt } = backlogs[family];
          this.set({ family }, oldestReceivedAt === null ? 0 : Math.max(0, (Date.now() - oldestReceivedAt) / 1000));
        }
      },
    });
    new Gauge({
      name: 'steplog_dead_letters',
      help: 'Dead letters waiting for a retry or a drop (read at scrape)',
      registers: [this.registry],
      async collect() {
        this.set(await sources.deadLetters());
      },
    });
    // Series that exist before the first event, so rates and alerts start from 0 rather than absent.
    for (const family of FAMILIES) {
      this.eventsAccepted.inc({ family }, 0);
      for (const reason of REJECTION_REASONS) this.eventsRejected.inc({ family, reason }, 0);
      this.loaderBatches.inc({ family }, 0);
      this.loaderRows.inc({ family }, 0);
      this.loaderDeadLetters.inc({ family }, 0);
    }
    for (const status of ['succeeded', 'failed'] as const) this.loaderRuns.inc({ status }, 0);
    for (const result of ['ok', 'refused'] as const) this.adminLogins.inc({ result }, 0);
  }

  accepted(family: EventFamily, count: number): void {
    this.eventsAccepted.inc({ family }, count);
  }

  rejected(family: EventFamily, reason: RejectionReason, count: number): void {
    this.eventsRejected.inc({ family, reason }, count);
  }

  /** What one family's loader tells, counted under its label. */
  loaderOf(family: EventFamily): Pick<LoaderObserver, 'batchLoaded' | 'deadLettered'> {
    return {
      batchLoaded: (rows, seconds) => {
        this.loaderBatches.inc({ family });
        this.loaderRows.inc({ family }, rows);
        this.loaderBatchDuration.observe({ family }, seconds);
      },
      deadLettered: (rows) => this.loaderDeadLetters.inc({ family }, rows),
    };
  }

  runEnded(status: 'succeeded' | 'failed'): void {
    this.loaderRuns.inc({ status });
  }

  retryScheduled(): void {
    this.loaderRetries.inc();
  }
}
