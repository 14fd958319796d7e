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
 * fsync serves many requests. Each caller is answered only after the commit holding its events is
 * durable. Two groups may be in flight: while one waits for its fsync (a store that syncs off the
 * event loop, or PostgreSQL's commit round trip), the next one commits, so the disk is never idle
 * while requests wait.
 */
export class GroupCommitter<N = NewEvent, S = StoredEvent> {
  private waiting: Waiter<N, S>[] = [];
  private inFlight = 0;

  constructor(
    private readonly eventLog: Appender<N, S>,
    /** The transport's produce verb: events and their queue entries commit together. */
    private readonly enqueue: Enqueue<S>,
    private readonly maxEventsPerCommit = 50_000,
    private readonly maxGroupsInFlight = 2,
  ) {}

  append(events: readonly N[]): Promise<AppendResult<S>[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (this.inFlight < this.maxGroupsInFlight) setImmediate(() => this.drain());
    });
  }

  private drain(): void {
    while (this.waiting.length > 0 && this.inFlight < this.maxGroupsInFlight) {
      this.inFlight += 1;
      void this.commit(this.takeGroup()).finally(() => {
        this.inFlight -= 1;
        this.drain();
      });
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
