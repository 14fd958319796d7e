import type { StoredEvent } from '../events/event.ts';
import type { Enqueue } from '../store/event-log.ts';
import type { Discard } from '../store/user-erasure.ts';

/**
 * How committed events travel to the loader: the outbox table itself by default, RabbitMQ
 * optionally. Delivery is at least once; the loader makes it exactly once.
 *
 * A batch is formed (its members and its deduplication token recorded) before its first insert
 * and settled after the last. A batch found formed but not settled was cut off by a crash or an
 * error: it comes back whole, exactly as first formed, whatever the batch size is now.
 */
export interface Transport<E extends QueuedEvent = StoredEvent> {
  /** The produce verb: queues committed events inside the store transaction that commits them. */
  readonly enqueue: Enqueue<E>;
  /** Forgets erased events (queued or dead-lettered) inside the store transaction that deletes them. */
  readonly discard: Discard;
  /**
   * The next batch: the oldest formed batch not yet settled, or else at most `limit` events never
   * batched, oldest first. With `after`, only events newer than that batch's (the loader reads
   * ahead while that batch is still in flight).
   */
  receive(limit: number, after?: Batch<E>): Promise<Batch<E> | null>;
  /**
   * Records the batch's members and token before it is first inserted; answers it formed, with the
   * events of `batch` it claimed (all of them unless a competing loader claimed some first).
   */
  form(batch: Batch<E>): Promise<FormedBatch<E>>;
  /**
   * Whether this loader may still insert the batch: loaders that share a store lease each batch to
   * one of them and renew the lease while they work on it; false once the lease ran out (renewals
   * failed) or another loader took the batch. Asked before each insert and before the settle.
   */
  holds(batch: FormedBatch<E>): boolean;
  /** The loader gave up on the batch for now (its insert failed): its lease is no longer renewed. */
  release(batch: FormedBatch<E>): void;
  /**
   * The batch is in the warehouse: never deliver it again (its lease ends with it). Its dead letters leave the backlog for
   * the dead-letter list in the same step.
   */
  settle(batch: FormedBatch<E>, deadLetters: readonly NewDeadLetter<E>[]): Promise<void>;
  /** Undelivered events and the age of the oldest. */
  backlog(): Promise<Backlog>;
}

/** What the transport needs of a committed event of any family. */
export interface QueuedEvent {
  /** The store's sequence id. */
  readonly id: number;
  readonly eventId: string;
  /** Epoch ms. */
  readonly time: number;
  readonly receivedAt: number;
}

export interface Batch<E extends QueuedEvent = StoredEvent> {
  readonly events: readonly E[];
  /** Present when the batch was formed before: some of it may be in the warehouse already. */
  readonly formed?: FormedBatch['formed'];
}

export interface FormedBatch<E extends QueuedEvent = StoredEvent> extends Batch<E> {
  readonly formed: {
    readonly id: number;
    /** Every insert of this batch carries it (or a token derived from it), on every retry. */
    readonly token: string;
  };
}

export interface Backlog {
  readonly events: number;
  /** Epoch ms when the oldest undelivered event was received; null when the backlog is empty. */
  readonly oldestReceivedAt: number | null;
}

/** An event the warehouse refused for a reason retrying cannot fix. */
export interface NewDeadLetter<E extends QueuedEvent = StoredEvent> {
  readonly event: E;
  /** The warehouse's answer. */
  readonly error: string;
  /** The token of the one-row insert that was refused: a retry inserts it under the same token. */
  readonly token: string;
  readonly jobId: number;
}

export interface DeadLetter<E extends QueuedEvent = StoredEvent> extends NewDeadLetter<E> {
  readonly failedAt: number;
}

/** Dead letters for operators: see them, put them back into the backlog, or give them up. */
export interface DeadLetters<E extends QueuedEvent = StoredEvent> {
  list(page: { readonly limit: number; readonly after: number }): Promise<DeadLetter<E>[]>;
  count(): Promise<number>;
  /** Puts these (or all, when `ids` is absent) back into the backlog, each under its own token; answers how many. */
  retry(ids?: readonly number[]): Promise<number>;
  /** Forgets these (or all): they stay in the store, never in the warehouse; answers how many. */
  drop(ids?: readonly number[]): Promise<number>;
}
