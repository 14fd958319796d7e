import type { Channel, ConsumeMessage } from 'amqplib';
import type { Logger } from 'pino';
import type { OutboxTransport } from '../outbox/outbox-transport.ts';
import type { Enqueue } from '../../store/event-log.ts';
import type { Discard } from '../../store/user-erasure.ts';
import type { StoredEvent } from '../../events/event.ts';
import type { Backlog, Batch, FormedBatch, NewDeadLetter, QueuedEvent, Transport } from '../transport.ts';
import { AmqpLink, EVENTS_QUEUE } from './amqp-link.ts';
import { decodeSegment } from './segment.ts';

const FIRST_DELIVERY_WAIT_MS = 250;

interface Delivery<E extends QueuedEvent> {
  readonly channel: Channel;
  readonly message: ConsumeMessage;
  readonly batch: FormedBatch<E>;
}

/**
 * The loader's side of RabbitMQ: a consumer with manual acks and a prefetch. Every message is a
 * batch formed by the relay (members and token in the store), so a batch the loader received is
 * inserted, settled in the store, and only then acked. A redelivered message (a loader or the
 * connection died before the ack) whose batch is settled already is acked and skipped; one not
 * settled is inserted again under its first token. The backlog is the store's outbox: events not
 * yet published plus those published and not yet settled.
 */
export class RabbitTransport<E extends QueuedEvent = StoredEvent> implements Transport<E> {
  /** The outbox's own: committed events wait in the outbox until the relay publishes them. */
  readonly enqueue: Enqueue<E>;
  /**
   * The outbox's own as well: erasure refuses while a person's events sit in a formed (published,
   * unsettled) segment, so what is left to discard is still only in the outbox.
   */
  readonly discard: Discard;
  private readonly link: AmqpLink<Channel>;
  /** Received from the broker, not yet handed to the loader. */
  private waiting: Delivery<E>[] = [];
  /** Handed to the loader, not yet settled: handed out again until it is (a failed insert is retried). */
  private readonly inFlight = new Map<number, Delivery<E>>();

  constructor(
    url: string,
    private readonly outbox: Pick<
      OutboxTransport<E>,
      'enqueue' | 'discard' | 'settle' | 'backlog' | 'formedBatch' | 'lease' | 'holds' | 'release'
    >,
    options: {
      readonly prefetch: number;
      readonly log: Logger;
      /** The family's queue. */
      readonly queue?: string;
      /**
       * Told the events of each segment the broker delivers: a loader process learns of events another
       * process's relay published, and can start a load without waiting for its next flush tick.
       */
      readonly onDelivered?: (events: number) => void;
    },
  ) {
    this.enqueue = outbox.enqueue;
    this.discard = outbox.discard;
    const queue = options.queue ?? EVENTS_QUEUE;
    this.link = new AmqpLink<Channel>(
      url,
      'plain',
      options.log,
      async (channel) => {
        this.forgetDeliveries();
        channel.on('close', () => this.forgetDeliveries(channel));
        await channel.prefetch(options.prefetch);
        let delivered: () => void = () => undefined;
        const first = new Promise<void>((resolve) => (delivered = resolve));
        await channel.consume(queue, (message) => {
          if (message) {
            const batch = decodeSegment<E>(message.content);
            this.waiting.push({ channel, message, batch });
            options.onDelivered?.(batch.events.length);
          }
          delivered();
        });
        // A new consumer's first deliveries arrive just after it subscribes: give a waiting queue a moment.
        await Promise.race([first, new Promise((resolve) => setTimeout(resolve, FIRST_DELIVERY_WAIT_MS))]);
      },
      queue,
    );
  }

  /** Unacked deliveries die with their channel: the broker delivers them again. */
  private forgetDeliveries(channel?: Channel): void {
    this.waiting = this.waiting.filter((d) => channel !== undefined && d.channel !== channel);
    for (const [id, delivery] of this.inFlight)
      if (channel === undefined || delivery.channel === channel) this.inFlight.delete(id);
  }

  /**
   * The next batch this loader may load. A batch is leased in the store before it is handed out:
   * a message the broker delivered twice (a relay that lost a confirm publishes again) may reach two
   * loaders at once, and only one of them inserts it. A copy whose batch another live loader holds
   * stays unacked here until that loader settles it (then it is acked) or dies (then it is taken).
   * The lease is renewed while the loader works on the batch (see OutboxTransport.holds).
   */
  async receive(): Promise<Batch<E> | null> {
    await this.link.channel();
    // A batch whose insert failed comes first again, if this loader still may take it.
    const [unsettled] = this.inFlight.values();
    if (unsettled) {
      this.inFlight.delete(unsettled.batch.formed.id);
      this.waiting.unshift(unsettled);
    }
    const heldElsewhere: Delivery<E>[] = [];
    try {
      for (let delivery = this.waiting.shift(); delivery; delivery = this.waiting.shift()) {
        if (await this.outbox.lease(delivery.batch.formed)) {
          this.inFlight.set(delivery.batch.formed.id, delivery);
          return delivery.batch;
        }
        if ((await this.outbox.formedBatch(delivery.batch.formed)) === undefined) this.ack(delivery);
        else heldElsewhere.push(delivery);
      }
      return null;
    } finally {
      this.waiting.unshift(...heldElsewhere);
    }
  }

  form(batch: Batch<E>): Promise<FormedBatch<E>> {
    if (!batch.formed) return Promise.reject(new Error('a RabbitMQ batch is always formed by the relay'));
    return Promise.resolve({ ...batch, formed: batch.formed });
  }

  holds(batch: FormedBatch<E>): boolean {
    return this.outbox.holds(batch);
  }

  release(batch: FormedBatch<E>): void {
    this.outbox.release(batch);
  }

  async settle(batch: FormedBatch<E>, deadLetters: readonly NewDeadLetter<E>[]): Promise<void> {
    await this.outbox.settle(batch, deadLetters);
    const delivery = this.inFlight.get(batch.formed.id);
    this.inFlight.delete(batch.formed.id);
    if (delivery) this.ack(delivery);
  }

  /** On a channel that died meanwhile the ack is lost: the redelivery finds the batch settled and is acked then. */
  private ack(delivery: Delivery<E>): void {
    try {
      delivery.channel.ack(delivery.message);
    } catch {
      /* the channel is closed; see above */
    }
  }

  backlog(): Promise<Backlog> {
    return this.outbox.backlog();
  }

  async close(): Promise<void> {
    await this.link.close();
  }
}
