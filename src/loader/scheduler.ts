import type { ImportJob, ImportTrigger } from '../store/import-jobs.ts';
import type { Loader } from './loader.ts';
import type { LoaderObserver } from './loader-observer.ts';

export interface SchedulerOptions {
  readonly flushIntervalMs: number;
  readonly batchSize: number;
  readonly onJob?: (job: ImportJob) => void;
  readonly observer?: Pick<LoaderObserver, 'runEnded' | 'retryScheduled'>;
}

/**
 * Runs the loader every flush interval, as soon as a batch's worth of events has arrived, and on
 * demand — one run at a time. After a failed run it retries with exponential back-off (1 s, 2 s,
 * 4 s … up to the flush interval) and ignores the backlog trigger until then. `exclusive` holds
 * loads off while some other work rewrites warehouse data (an aggregates rebuild).
 */
export class LoadScheduler {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<ImportJob> | undefined;
  private held: Promise<unknown> | undefined;
  private arrivedSinceRun = 0;
  private failures = 0;
  private stopped = true;

  constructor(
    private readonly loader: Pick<Loader, 'run'>,
    private readonly options: SchedulerOptions,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(this.options.flushIntervalMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.current?.catch(() => undefined);
  }

  /** Ingest tells how many new events it committed. */
  notifyAppended(count: number): void {
    this.arrivedSinceRun += count;
    if (this.arrivedSinceRun >= this.options.batchSize && this.failures === 0 && !this.current && !this.held) {
      void this.runInBackground('backlog');
    }
  }

  /** Runs a load now (after the one in progress, if any) and returns its job. */
  async run(trigger: ImportTrigger): Promise<ImportJob> {
    // Checked and claimed in one synchronous step: an `await` between them let two waiters both
    // find the loader idle and run it twice over the same outbox rows (every row inserted twice).
    for (let busy = this.inProgress(); busy; busy = this.inProgress()) await busy.catch(() => undefined);
    this.arrivedSinceRun = 0;
    this.current = this.loader.run(trigger);
    try {
      const job = await this.current;
      this.failures = job.status === 'failed' ? this.failures + 1 : 0;
      this.options.observer?.runEnded(job.status === 'failed' ? 'failed' : 'succeeded');
      this.options.onJob?.(job);
      if (this.failures > 0) this.retryLater();
      else if (this.arrivedSinceRun >= this.options.batchSize) void this.runInBackground('backlog');
      return job;
    } catch (error) {
      // The job could not even be recorded (the store failed): back off as after a failed job.
      this.failures += 1;
      this.options.observer?.runEnded('failed');
      this.retryLater();
      throw error;
    } finally {
      this.current = undefined;
    }
  }

  private retryLater(): void {
    const delayMs = Math.min(this.options.flushIntervalMs, 1000 * 2 ** (this.failures - 1));
    this.options.observer?.retryScheduled(delayMs);
    this.schedule(delayMs);
  }

  /** A run nobody awaits: its failure is already counted and retried, so it must not reject unhandled. */
  private runInBackground(trigger: ImportTrigger): Promise<unknown> {
    return this.run(trigger).catch(() => undefined);
  }

  /** Waits for the load in progress, then runs `work` with no load running until it settles. */
  async exclusive<T>(work: () => Promise<T>): Promise<T> {
    for (let busy = this.inProgress(); busy; busy = this.inProgress()) await busy.catch(() => undefined);
    const held = work();
    this.held = held;
    try {
      return await held;
    } finally {
      this.held = undefined;
    }
  }

  /** The load or exclusive work running now, if any. */
  private inProgress(): Promise<unknown> | undefined {
    return this.current ?? this.held;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.runInBackground('schedule').finally(() => {
        if (this.failures === 0) this.schedule(this.options.flushIntervalMs);
      });
    }, delayMs);
    this.timer.unref();
  }
}
