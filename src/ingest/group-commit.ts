import type { NewEvent, StoredEvent } from '../events/event.ts';
import type { AppendResult, Enqueue } from '../store/event-log.ts';

/** An event log of any family: learning events (EventLog), site events (SiteEventLog). */
export interface Appender<N, S> {
  appendEvents(events: readonly N[], enqueue: Enqueue<S>): Promise<AppendResult<S>[]>;
}

interface Waiter<N, S> {
  readonly events: readonly N[];
  resolve(results: AppendResult<S>[]): void;
  reject(error: unknown): void;
}

/**
 * Group commit: requests that arrive while a commit is running share the next transaction, so one
 * fsync serves many requests. Each caller is answered only after the commit holding its events.
 */
export class GroupCommitter<N = NewEvent, S = StoredEvent> {
  private waiting: Waiter<N, S>[] = [];
  private committing = false;

  constructor(
    private readonly eventLog: Appender<N, S>,
    /** The transport's produce verb: events and their queue entries commit together. */
    private readonly enqueue: Enqueue<S>,
    private readonly maxEventsPerCommit = 50_000,
  ) {}

  append(events: readonly N[]): Promise<AppendResult<S>[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (!this.committing) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.committing) return;
    this.committing = true;
    try {
      while (this.waiting.length > 0) await this.commit(this.takeGroup());
    } finally {
      this.committing = false;
    }
  }

  private takeGroup(): Waiter<N, S>[] {
    let size = 0;
    let count = 0;
    while (
      count < this.waiting.length &&
      (count === 0 || size + this.waiting[count]!.events.length <= this.maxEventsPerCommit)
    ) {
      size += this.waiting[count]!.events.length;
      count += 1;
    }
    return this.waiting.splice(0, count);
  }

  private async commit(group: Waiter<N, S>[]): Promise<void> {
    try {
      const results = await this.eventLog.appendEvents(
        group.flatMap((w) => w.events),
        this.enqueue,
      );
      let offset = 0;
      for (const waiter of group) {
        waiter.resolve(results.slice(offset, offset + waiter.events.length));
        offset += waiter.events.length;
      }
    } catch (error) {
      for (const waiter of group) waiter.reject(error);
    }
  }
}
