import { pino, type Logger } from 'pino';
import type { ImportJob, ImportTrigger } from '../store/import-jobs.ts';
import { NotALoaderError } from '../errors/not-a-loader.ts';
import type { Loader } from './loader.ts';
import type { LoaderObserver } from './loader-observer.ts';

export interface SchedulerOptions {
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly onJob?: (job: ImportJob) => void;
  readonly observer?: Pick<LoaderObserver, 'runEnded' | 'retryScheduled'>;
  /** Each run (job id, trigger, rows, duration, error) and each retry it schedules (silent when absent). */
  readonly log?: Logger;
  /**
   * False in a `--role api` process: it runs no load, not even on request (it would take batches
   * and broker messages the loader processes are waiting for). Default true.
   */
  readonly loadsHere?: boolean;
}

const SILENT = pino({ level: 'silent' });

/** The wait before retrying after `failures` failed runs in a row: 1 s, 2 s, 4 s … capped at the flush interval. */
export const retryDelayMs = (failures: number, flushIntervalMs: number): number =>
  Math.min(flushIntervalMs, 1000 * 2 ** (failures - 1));

/**
 * Runs the loader every flush interval, as soon as a batch's worth of events has arrived, and on
 * demand — one run at a time. After a failed run it retries with exponential back-off (1 s, 2 s,
 * 4 s … up to the flush interval) and ignores the backlog trigger until then. `exclusive` holds
 * loads off while some other work rewrites warehouse data (an aggregates rebuild).
 */
export class LoadScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<unknown> | undefined;
  private held: Promise<unknown> | undefined;
  private arrivedSinceRun = 0;
  private failures = 0;
  private stopped = true;

  private readonly log: Logger;

  constructor(
    private readonly loader: Pick<Loader, 'run'>,
    private readonly options: SchedulerOptions,
  ) {
    this.log = (options.log ?? SILENT).child({ component: 'scheduler' });
  }

  start(): void {
    this.stopped = false;
    this.schedule(this.options.flushIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // Runs queued behind the one in progress (an import request) start as it ends: wait for them too,
    // so no request is still being answered when the server closes its connections.
    for (let busy = this.current ?? this.held; busy; busy = this.current ?? this.held) {
      await busy.catch(() => undefined);
    }
  }

  /**
   * Ingest (or the relay) tells how many new events it committed. Ignored until start() and after
   * stop(): a process that does not load (`--role api`) must not run loads of its own, which would
   * also hold the batches it leased from the loader processes while it lives, and for the lease
   * after it dies.
   */
  notifyAppended(count: number): void {
    if (this.stopped) return;
    this.arrivedSinceRun += count;
    if (this.arrivedSinceRun >= this.options.batchSize && this.failures === 0 && !this.current && !this.held) {
      void this.runInBackground('backlog');
    }
  }

  /** Runs a load now (after the one in progress, if any) and returns its job. */
  run(trigger: ImportTrigger): Promise<ImportJob> {
    if (this.options.loadsHere === false) return Promise.reject(new NotALoaderError());
    return this.whenIdle('current', async () => {
      this.arrivedSinceRun = 0;
      let job: ImportJob;
      try {
        job = await this.loader.run(trigger);
      } catch (error) {
        // The job could not even be recorded (the store failed): back off as after a failed job.
        this.failures += 1;
        this.options.observer?.runEnded('failed');
        this.log.error({ err: error, trigger, retryInMs: this.retryLater() }, 'load could not run');
        throw error;
      }
      this.failures = job.status === 'failed' ? this.failures + 1 : 0;
      this.options.observer?.runEnded(job.status === 'failed' ? 'failed' : 'succeeded');
      const run = { jobId: job.id, trigger, status: job.status, rows: job.rows, durationMs: durationMs(job) };
      this.options.onJob?.(job);
      if (this.failures > 0) {
        this.log.warn(
          { ...run, error: job.error, failures: this.failures, retryInMs: this.retryLater() },
          'load failed',
        );
      } else {
        this.log.debug(run, 'load ran');
        if (this.arrivedSinceRun >= this.options.batchSize) void this.runInBackground('backlog');
      }
      return job;
    });
  }

  /** Schedules the next retry after a failure and answers its delay. */
  private retryLater(): number {
    const delay = retryDelayMs(this.failures, this.options.flushIntervalMs);
    this.options.observer?.retryScheduled(delay);
    this.schedule(delay);
    return delay;
  }

  /** A run nobody awaits: its failure is already counted and retried, so it must not reject unhandled. */
  private runInBackground(trigger: ImportTrigger): Promise<unknown> {
    return this.run(trigger).catch(() => undefined);
  }

  /** Waits for the load in progress, then runs `work` with no load running until it settles. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    return this.whenIdle('held', work);
  }

  /**
   * Waits until no load or exclusive work runs, then starts `work` and holds `slot` until it settles.
   * Checked and claimed in one synchronous step: an `await` between them let two waiters both
   * find the loader idle and run it twice over the same outbox rows (every row inserted twice).
   */
  private async whenIdle<T>(slot: 'current' | 'held', work: () => Promise<T>): Promise<T> {
    for (let busy = this.current ?? this.held; busy; busy = this.current ?? this.held) {
      await busy.catch(() => undefined);
    }
    const running = work();
    this[slot] = running;
    try {
      return await running;
    } finally {
      this[slot] = undefined;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      const startedAt = Date.now();
      void this.runInBackground('schedule').finally(() => {
        // A steady cadence: the next run is due one interval after this one began, not after it
        // ended, so no event waits longer than the interval plus the run that takes it.
        const sinceStart = Date.now() - startedAt;
        if (this.failures === 0) this.schedule(Math.max(0, this.options.flushIntervalMs - sinceStart));
      });
    }, delayMs);
    this.timer.unref();
  }
}

const durationMs = (job: ImportJob) => (job.finishedAt === null ? null : job.finishedAt - job.startedAt);
