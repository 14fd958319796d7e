import type { ConfirmChannel } from 'amqplib';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../../store/kysely/database.ts';
import type { OutboxTransport } from '../outbox/outbox-transport.ts';
import type { StoredEvent } from '../../events/event.ts';
import type { FormedBatch, QueuedEvent } from '../transport.ts';
import type { AmqpLink } from './amqp-link.ts';
import { encodeSegment } from './segment.ts';

export interface RelayOptions {
  /** Most events in one message (the loader's batch size). */
  readonly segmentSize: number;
  /** How often the relay publishes what is waiting, a partial segment included (the flush interval). */
  readonly intervalMs: number;
  /**
   * A batch formed this long ago and still unpublished was left by a relay that died between forming
   * and the broker's confirm: publish it again (a duplicate message is harmless; see RabbitTransport).
   */
  readonly orphanAfterMs: number;
  readonly log: Logger;
  /** Told how many events each pass published (the loader's trigger). */
  readonly onPublished?: (events: number) => void;
}

/**
 * Moves committed events from the outbox to the broker: forms a segment of unbatched rows (its
 * members and token recorded in the store), publishes it as one persistent message, waits for the
 * broker's confirm, and only then marks it published. The rows stay in the outbox until a loader
 * settles the segment, so the backlog counts unpublished plus unacknowledged events.
 */
export class OutboxRelay<E extends QueuedEvent = StoredEvent> {
  private readonly db: Kysely<Database>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  /** Not started, or stopped: no pass is scheduled. */
  private stopped = true;
  /** stop() was called: a running pass ends after its current segment. */
  private stopping = false;
  /** Batches this relay formed and has not had confirmed yet: published on its next pass. */
  private readonly own = new Set<number>();
  /** Events committed since the last pass: a full segment's worth starts a pass before the interval. */
  private committedSincePass = 0;

  constructor(
    private readonly outbox: OutboxTransport<E>,
    /** The link to the family's queue. */
    private readonly link: AmqpLink<ConfirmChannel>,
    /** The store's database as the family's outbox sees it (familyDb). */
    db: Kysely<Database>,
    private readonly options: RelayOptions,
  ) {
    this.db = db;
  }

  start(): void {
    this.stopped = false;
    this.runPass();
  }

  /** Ingest tells how many events it committed; a segment's worth is published without waiting. */
  committed(events: number): void {
    this.committedSincePass += events;
    if (this.committedSincePass >= this.options.segmentSize) this.runPass();
  }

  private runPass(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.committedSincePass = 0;
    this.running = this.pass()
      .then((published) => {
        if (published > 0) this.options.onPublished?.(published);
      })
      .catch((error: unknown) => this.options.log.warn({ err: error }, 'relay pass failed; retrying'))
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.runPass();
        } else this.timer = setTimeout(() => this.runPass(), this.options.intervalMs);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Publishes what is waiting; answers how many events it published. */
  async pass(): Promise<number> {
    const channel = await this.link.channel();
    let published = 0;
    for (const batch of await this.unpublished()) published += await this.publish(channel, batch);
    while (!this.stopping) {
      const fresh = await this.outbox.unbatched(this.options.segmentSize);
      if (!fresh) break;
      const batch = await this.outbox.formUnleased(fresh);
      this.own.add(batch.formed.id);
      published += await this.publish(channel, batch);
    }
    return published;
  }

  /** This relay's unconfirmed batches and orphans of relays that died, oldest first. */
  private async unpublished(): Promise<FormedBatch<E>[]> {
    const rows = await this.db
      .selectFrom('outbox_batches')
      .select(['id', 'token'])
      .where('published_at', 'is', null)
      .where((eb) =>
        eb.or([
          eb('formed_at', '<', Date.now() - this.options.orphanAfterMs),
          ...(this.own.size > 0 ? [eb('id', 'in', [...this.own])] : []),
        ]),
      )
      .orderBy('id')
      .execute();
    const batches: FormedBatch<E>[] = [];
    for (const row of rows) {
      const batch = await this.outbox.formedBatch(row);
      if (batch) batches.push(batch);
      else this.own.delete(row.id);
    }
    return batches;
  }

  private async publish(channel: ConfirmChannel, batch: FormedBatch<E>): Promise<number> {
    if (batch.events.length === 0) {
      // Every row was claimed by another relay between the read and the form: nothing to carry.
      await this.outbox.settle(batch, []);
    } else {
      channel.sendToQueue(this.link.queue, encodeSegment(batch), {
        persistent: true,
        messageId: batch.formed.token,
        contentType: 'application/json',
      });
      await channel.waitForConfirms();
      await this.db
        .updateTable('outbox_batches')
        .set({ published_at: Date.now() })
        .where('id', '=', batch.formed.id)
        .execute();
    }
    this.own.delete(batch.formed.id);
    return batch.events.length;
  }
}
