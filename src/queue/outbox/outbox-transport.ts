import type { OltpStore } from '../../store/store.ts';
import type { Delivery, Transport } from '../transport.ts';

/** The transactional outbox: events are queued in the same store transaction that commits them. */
export class OutboxTransport implements Transport {
  constructor(private readonly store: OltpStore) {}

  async receive(limit: number, afterId = 0): Promise<Delivery[]> {
    const entries = await this.store.claimOutbox(limit, afterId);
    return entries.map(({ inDoubt, ...event }) => ({ event, inDoubt }));
  }

  markInDoubt(deliveries: readonly Delivery[]): Promise<void> {
    return this.store.markInDoubt(deliveries.filter((d) => !d.inDoubt).map((d) => d.event.id));
  }

  ack(deliveries: readonly Delivery[]): Promise<void> {
    return this.store.ackOutbox(deliveries.map((d) => d.event.id));
  }

  backlog() {
    return this.store.backlog();
  }
}
