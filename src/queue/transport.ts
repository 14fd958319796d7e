import type { StoredEvent } from '../events/event.ts';

/**
 * How committed events travel to the loader: the outbox table itself by default, RabbitMQ
 * optionally. Delivery is at least once; the loader makes it exactly once.
 */
export interface Transport {
  /**
   * The oldest undelivered events, at most `limit`, in commit order; with `afterId`, only events
   * after that one (the loader reads ahead while the previous batch is still unacknowledged).
   */
  receive(limit: number, afterId?: number): Promise<Delivery[]>;
  /** Records that a warehouse insert of these is starting; a later receive reports them in doubt. */
  markInDoubt(deliveries: readonly Delivery[]): Promise<void>;
  /** These are in the warehouse: never deliver them again. */
  ack(deliveries: readonly Delivery[]): Promise<void>;
  /** Undelivered events and the age of the oldest. */
  backlog(): Promise<{ events: number; oldestReceivedAt: number | null }>;
}

export interface Delivery {
  readonly event: StoredEvent;
  /** An insert of this event may have reached the warehouse already (a crash or error followed it). */
  readonly inDoubt: boolean;
}
