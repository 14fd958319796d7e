/** What the loader and its scheduler tell about their work (metrics); the pipeline imports no metrics library. */
export interface LoaderObserver {
  /** A batch is settled: the rows it inserted now, and how long forming, inserting and settling took. */
  batchLoaded(rows: number, seconds: number): void;
  /** Rows the warehouse refused for good, moved to the dead letters. */
  deadLettered(rows: number): void;
  /** A load run ended; `failed` also when its import job could not even be recorded. */
  runEnded(status: 'succeeded' | 'failed'): void;
  /** A failed load is retried after this back-off. */
  retryScheduled(delayMs: number): void;
}
