import type { NewEvent, StoredEvent } from '../events/event.ts';
import type { PageRequest } from './catalog.ts';

/** The committed events: the source of truth the transport delivers from. */
export interface EventLog {
  /**
   * Commits the accepted events in ONE transaction, inside which `enqueue` hands the new ones to
   * the transport (its outbox rows commit with them), and answers per event, in order. An event
   * whose event_id is already stored (or repeated in `events`) resolves to the stored one and adds
   * nothing; an unknown user or task is refused alone.
   */
  appendEvents(events: readonly NewEvent[], enqueue: Enqueue): Promise<AppendResult[]>;
  /** Committed events by sequence id (the tasktracker seed's GET /api/actions/). */
  listEvents(page: PageRequest): Promise<StoredEvent[]>;
  /** Events committed per minute since `since` (epoch ms): the ingest rate. */
  receivedPerMinute(since: number): Promise<MinuteCount[]>;
}

/**
 * The transport's produce verb, run inside the store's transaction: `transaction` is the store's
 * own handle, which only a transport keeping its queue in the same database looks into.
 */
export type Enqueue<E = StoredEvent> = (transaction: unknown, events: readonly E[]) => Promise<void>;

export type AppendResult<E = StoredEvent> =
  | { readonly ok: true; readonly event: E; readonly duplicate: boolean }
  | { readonly ok: false; readonly field: 'user_id' | 'step_id'; readonly message: string };

export interface MinuteCount {
  /** Epoch ms at the start of the minute. */
  readonly minute: number;
  readonly events: number;
}
