import type { Logger } from 'pino';
import type { ImportJobs } from '../store/import-jobs.ts';

/** How often a process says its running jobs are alive, and looks for others' dead ones. */
export const JOB_HEARTBEAT_MS = 5_000;
/** A running job whose owner has not beaten for this long was cut off by its process's death. */
export const JOB_STALE_MS = 30_000;

export interface JobHeartbeatOptions {
  readonly intervalMs?: number;
  readonly staleMs?: number;
  readonly log: Logger;
}

/**
 * Import jobs when loaders run in several processes: each process beats for the jobs it runs, and
 * fails other processes' jobs whose heartbeat went stale (a loader killed mid-load leaves its job
 * 'running'; at startup only a process that owns the store alone, role `all`, may fail them all).
 * Every role runs it, so a dead loader's job is failed even while no other loader runs.
 */
export class JobHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly importJobs: Pick<ImportJobs, 'heartbeat' | 'failStale'>,
    private readonly options: JobHeartbeatOptions,
  ) {
    this.intervalMs = options.intervalMs ?? JOB_HEARTBEAT_MS;
    this.staleMs = options.staleMs ?? JOB_STALE_MS;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.beating ??= this.beat().finally(() => (this.beating = undefined));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** One beat: this process's jobs are alive; others' stale ones are failed. */
  async beat(): Promise<void> {
    try {
      await this.importJobs.heartbeat();
      const failed = await this.importJobs.failStale(
        `interrupted: its process stopped (no heartbeat for ${this.staleMs / 1000} s)`,
        Date.now() - this.staleMs,
      );
      if (failed > 0) this.options.log.warn({ jobs: failed }, 'failed import jobs of a process that died');
    } catch (error) {
      // The store is away: the next beat tries again (a job is stale only after several missed beats).
      this.options.log.warn({ err: error }, 'import job heartbeat failed');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
  }
}
