import amqp, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import type { Logger } from 'pino';

/** steplog's queues, one per event family: durable, replicated (quorum), each message one immutable segment of events. */
export const EVENTS_QUEUE = 'steplog.events';
export const SITE_EVENTS_QUEUE = 'steplog.site_events';
const QUEUE_OPTIONS = { durable: true, arguments: { 'x-queue-type': 'quorum' } };

/**
 * One connection and channel to the broker, opened on first use and again on the first use after
 * the broker dropped it (restart, network loss): callers retry their own work, the link only
 * reconnects. `onChannel` sets a new channel up (prefetch, consumers) before anyone uses it.
 */
export class AmqpLink<C extends Channel | ConfirmChannel> {
  private opening: Promise<C> | undefined;
  private connection: ChannelModel | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly kind: C extends ConfirmChannel ? 'confirm' : 'plain',
    private readonly log: Logger,
    private readonly onChannel: (channel: C) => Promise<void> = () => Promise.resolve(),
    /** The queue this link asserts: its family's. */
    readonly queue: string = EVENTS_QUEUE,
  ) {}

  /** The live channel, (re)connecting when there is none; rejects while the broker cannot be reached. */
  channel(): Promise<C> {
    if (this.closed) return Promise.reject(new Error('the broker link is closed'));
    this.opening ??= this.open().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  private async open(): Promise<C> {
    const connection = await amqp.connect(this.url);
    const lost = (error?: Error) => {
      if (this.connection !== connection) return;
      this.connection = undefined;
      this.opening = undefined;
      if (!this.closed) this.log.warn({ err: error }, 'broker connection lost; reconnecting on next use');
    };
    connection.on('error', lost);
    connection.on('close', lost);
    this.connection = connection;
    try {
      const channel = (
        this.kind === 'confirm' ? await connection.createConfirmChannel() : await connection.createChannel()
      ) as C;
      channel.on('error', () => undefined);
      // A channel the broker closed (a failed operation) takes the connection with it: one state to recover from.
      channel.on('close', () => void connection.close().catch(() => undefined));
      await channel.assertQueue(this.queue, QUEUE_OPTIONS);
      await this.onChannel(channel);
      return channel;
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw error;
    }
  }

  /** Whether `channel` is still the live one (deliveries on an older channel cannot be acked). */
  isCurrent(channel: C): Promise<boolean> {
    const opening = this.opening;
    if (!opening || !this.connection) return Promise.resolve(false);
    return opening.then((live) => live === channel).catch(() => false);
  }

  async close(): Promise<void> {
    this.closed = true;
    const connection = this.connection;
    this.connection = undefined;
    this.opening = undefined;
    await connection?.close().catch(() => undefined);
  }
}
