/** One record per load: what the loader did, for the imports page, the API and the ingest chart. */
export interface ImportJobs {
  start(trigger: ImportTrigger): Promise<ImportJob>;
  /** Records the job's counters and status (after every batch, so a job cut off by a crash keeps what it did). */
  save(job: ImportJob): Promise<ImportJob>;
  /** Newest first; with `olderThan`, the page after that job id (keyset). */
  list(limit: number, olderThan?: number): Promise<ImportJob[]>;
  /** Every job that finished at or after `since` (epoch ms), oldest first. */
  finishedSince(since: number): Promise<ImportJob[]>;
  /** Marks jobs left 'running' by a process that died as failed; answers how many there were. */
  failInterrupted(error: string): Promise<number>;
  /** Says this process's running jobs are alive (each job records its owner when it starts). */
  heartbeat(): Promise<void>;
  /**
   * Fails other processes' running jobs whose last heartbeat is older than `before` (epoch ms):
   * their process died. Answers how many. Never this process's own jobs.
   */
  failStale(error: string, before: number): Promise<number>;
}

export type ImportTrigger = 'schedule' | 'backlog' | 'manual';
export type ImportStatus = 'running' | 'succeeded' | 'failed';

export interface ImportJob {
  readonly id: number;
  readonly trigger: ImportTrigger;
  readonly startedAt: number;
  finishedAt: number | null;
  status: ImportStatus;
  /** Rows inserted into the warehouse. */
  rows: number;
  batches: number;
  /** In-doubt rows found already in the warehouse and not inserted again. */
  reconciled: number;
  /** Rows the warehouse refused for good, moved to the dead letters. */
  deadLettered: number;
  error: string | null;
}
