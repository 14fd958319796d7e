import { AppError } from '../errors/app-error.ts';
/** Ingest refused because the undelivered backlog is past its bound; nothing was written. */
export class BacklogFullError extends AppError {
  readonly code = 'backlog_full';
  readonly httpStatus = 503;

  constructor(
    readonly events: number,
    readonly max: number,
  ) {
    super(`the undelivered backlog holds ${events} events (bound ${max}); retry once the loader catches up`);
  }
}

/**
 * The undelivered backlog as ingest sees it, without a COUNT per request: commits add to it and
 * every load re-reads it from the transport. Between two loads it can only over-estimate (acks
 * are not counted until the re-read), so the bound errs on the side of refusing.
 */
export class BacklogGauge {
  private events = 0;

  constructor(
    private readonly max: number,
    private readonly read: () => Promise<number>,
  ) {}

  async refresh(): Promise<void> {
    this.events = await this.read();
  }

  added(count: number): void {
    this.events += count;
  }

  /** Throws BacklogFullError when the backlog has reached the bound. */
  check(): void {
    if (this.events >= this.max) throw new BacklogFullError(this.events, this.max);
  }
}
