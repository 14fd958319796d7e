import crypto from 'node:crypto';
import os from 'node:os';
import type { ExpressionBuilder, Kysely } from 'kysely';
import type { StoredEvent } from '../../events/event.ts';
import { chunks, contiguousRanges } from '../../store/kysely/chunks.ts';
import type { Database } from '../../store/kysely/database.ts';
import type { KyselyStore } from '../../store/kysely/kysely-store.ts';
import { IDS_PER_STATEMENT } from '../../store/kysely/sql-dialect.ts';
import type { Backlog, Batch, FormedBatch, NewDeadLetter, QueuedEvent, Transport } from '../transport.ts';
import { familyDb, learningOutbox, type OutboxFamily } from './outbox-family.ts';

/**
 * How long a formed batch stays its loader's without a renewal. A live loader renews the lease on a
 * timer (every third of it) while it works on the batch, however long the insert takes, and stops
 * when it settles the batch or gives up on it; a batch whose lease ran out belonged to a loader
 * that died (or lost the store for that long), and the next loader takes it.
 */
export const BATCH_LEASE_MS = 15_000;

/** A batch this loader works on: its lease renewed on a timer until settled or released. */
interface Kept {
  readonly timer: NodeJS.Timeout;
  /** Epoch ms the lease runs out as last written by this loader. */
  until: number;
}

export interface LeaseOptions {
  /**
   * Who this transport's loader is; distinct per transport (and process) unless a test says otherwise.
   * Default: host, pid (which process holds a batch, for operators) and a random part.
   */
  readonly owner?: string;
  /** Default: BATCH_LEASE_MS on a store processes share (PostgreSQL), none on SQLite. */
  readonly ms?: number;
}

/**
 * The transactional outbox: ingest queues each event in the store transaction that commits it
 * (an `outbox` row); the loader forms batches of those rows (`outbox_batches`) and deletes them
 * once settled. Each event family has its own four tables (see outbox-family.ts). Loaders on one
 * store compete: a formed batch is leased to the loader that formed it (see BATCH_LEASE_MS).
 */
export class OutboxTransport<E extends QueuedEvent = StoredEvent> implements Transport<E> {
  private readonly db: Kysely<Database>;
  private readonly skipLocked: boolean;
  private readonly owner: string;
  private readonly leaseMs: number;
  private readonly kept = new Map<number, Kept>();

  /** The store's own database: the outbox commits with the events it queues. */
  constructor(
    store: Pick<KyselyStore, 'db' | 'capabilities'>,
    private readonly family: OutboxFamily<E> = learningOutbox as unknown as OutboxFamily<E>,
    lease: LeaseOptions = {},
  ) {
    this.db = familyDb(store.db, family);
    this.skipLocked = store.capabilities.skipLocked;
    this.owner = lease.owner ?? `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
    // Leases keep competing loaders apart, and only a store several processes share has those. On
    // SQLite the one loader, restarted after a crash, must take its dead self's batch at once.
    this.leaseMs = lease.ms ?? (this.skipLocked ? BATCH_LEASE_MS : 0);
  }

  /**
   * One outbox row per event, inside the store transaction that commits the events. Fresh events
   * of one commit mostly have consecutive ids, so this is one INSERT … SELECT per contiguous run.
   */
  readonly enqueue = async (transaction: unknown, events: readonly E[]): Promise<void> => {
    const trx = familyDb(transaction as Kysely<Database>, this.family);
    for (const [from, to] of contiguousRanges(events.map((e) => e.id))) {
      await trx
        .insertInto('outbox')
        .columns(['event_pk'])
        .expression((eb) => eb.selectFrom('events').select('id').where('id', '>=', from).where('id', '<=', to))
        .execute();
    }
  };

  /** Deletes the events' outbox entries and dead letters, inside the store transaction that erases them. */
  readonly discard = async (transaction: unknown, eventIds: readonly number[]): Promise<void> => {
    const trx = familyDb(transaction as Kysely<Database>, this.family);
    for (const ids of chunks(eventIds, IDS_PER_STATEMENT)) {
      await trx.deleteFrom('dead_letters').where('event_pk', 'in', ids).execute();
      await trx.deleteFrom('outbox').where('event_pk', 'in', ids).execute();
    }
  };

  async receive(limit: number, after?: Batch<E>): Promise<Batch<E> | null> {
    if (!after) {
      const formed = await this.oldestFormed();
      if (formed) return formed;
    }
    return this.unbatched(limit, after?.events.at(-1)?.id ?? 0);
  }

  /** At most `limit` events in no batch yet, oldest first, newer than `afterId`. */
  async unbatched(limit: number, afterId = 0): Promise<Batch<E> | null> {
    const rows = await this.db
      .selectFrom('outbox')
      .innerJoin('events', 'events.id', 'outbox.event_pk')
      .selectAll('events')
      .where('outbox.batch_id', 'is', null)
      .where('outbox.event_pk', '>', afterId)
      .orderBy('outbox.event_pk')
      .limit(limit)
      .execute();
    return rows.length === 0 ? null : { events: rows.map((row) => this.family.toEvent(row)) };
  }

  /**
   * The oldest formed batch this loader may load — its own, or one whose lease ran out — leased
   * to it anew in the same statement: two loaders never hold one batch's lease at once.
   */
  private async oldestFormed(): Promise<FormedBatch<E> | undefined> {
    const now = Date.now();
    const takeable = this.takeable(now);
    const oldest = this.db.selectFrom('outbox_batches').select('id').where(takeable).orderBy('id').limit(1);
    const batch = await this.db
      .updateTable('outbox_batches')
      .set({ leased_by: this.owner, lease_expires_at: now + this.leaseMs })
      .where('id', 'in', this.skipLocked ? oldest.forUpdate().skipLocked() : oldest)
      // Checked again on the row as updated: a loader that took it meanwhile keeps it.
      .where(takeable)
      .returning(['id', 'token'])
      .executeTakeFirst();
    if (!batch) return undefined;
    this.keep(batch.id, now + this.leaseMs);
    const formed = await this.formedBatch(batch);
    if (!formed) this.forget(batch.id);
    return formed;
  }

  /** Batches this loader may take at `now`: its own, unleased ones, and those whose lease ran out. */
  private takeable(now: number) {
    return (eb: ExpressionBuilder<Database, 'outbox_batches'>) =>
      eb.or([eb('leased_by', '=', this.owner), eb('lease_expires_at', 'is', null), eb('lease_expires_at', '<', now)]);
  }

  /**
   * Leases (or renews) a formed batch to this loader; false when it is settled or another live
   * loader holds it (a second copy of a broker message, say).
   */
  async lease(formed: FormedBatch['formed']): Promise<boolean> {
    const now = Date.now();
    const row = await this.db
      .updateTable('outbox_batches')
      .set({ leased_by: this.owner, lease_expires_at: now + this.leaseMs })
      .where('id', '=', formed.id)
      .where(this.takeable(now))
      .returning('id')
      .executeTakeFirst();
    if (row !== undefined) this.keep(formed.id, now + this.leaseMs);
    return row !== undefined;
  }

  /** Keeps renewing the lease just taken (until `until`) while the loader works on the batch. */
  private keep(id: number, until: number): void {
    if (this.leaseMs === 0) return;
    const known = this.kept.get(id);
    if (known) {
      known.until = until;
      return;
    }
    const timer = setInterval(() => void this.renew(id), this.leaseMs / 3);
    timer.unref();
    this.kept.set(id, { timer, until });
  }

  /**
   * One renewal: only while the batch is still leased to this loader. A store that does not answer
   * leaves the last lease to run out (`holds` turns false then); a batch another loader took is lost.
   */
  private async renew(id: number): Promise<void> {
    const kept = this.kept.get(id);
    if (!kept) return;
    const now = Date.now();
    let renewed: boolean;
    try {
      const row = await this.db
        .updateTable('outbox_batches')
        .set({ lease_expires_at: now + this.leaseMs })
        .where('id', '=', id)
        .where('leased_by', '=', this.owner)
        .returning('id')
        .executeTakeFirst();
      renewed = row !== undefined;
    } catch {
      return;
    }
    // Settled or released meanwhile: nothing to keep.
    if (this.kept.get(id) !== kept) return;
    // Renewed, or taken by another loader (or settled by one): this loader no longer holds it.
    if (renewed) kept.until = now + this.leaseMs;
    else this.forget(id);
  }

  /**
   * Whether this loader still holds the batch's lease: false once another loader took it, or once
   * the last lease it wrote ran out (its renewals failed). Before every insert, never inside one.
   */
  holds(batch: FormedBatch<E>): boolean {
    if (this.leaseMs === 0) return true;
    const kept = this.kept.get(batch.formed.id);
    return kept !== undefined && Date.now() < kept.until;
  }

  /** The loader is done with the batch for now (settled, or failed and left to a retry): renewals stop. */
  release(batch: FormedBatch<E>): void {
    this.forget(batch.formed.id);
  }

  private forget(id: number): void {
    clearInterval(this.kept.get(id)?.timer);
    this.kept.delete(id);
  }

  /** Stops every renewal (the process stops): the leases run out and other loaders take the batches. */
  close(): void {
    for (const kept of this.kept.values()) clearInterval(kept.timer);
    this.kept.clear();
  }

  /** A formed batch's events as first formed; undefined once it is settled. */
  async formedBatch(formed: FormedBatch['formed']): Promise<FormedBatch<E> | undefined> {
    const rows = await this.db
      .selectFrom('outbox')
      .innerJoin('events', 'events.id', 'outbox.event_pk')
      .selectAll('events')
      .where('outbox.batch_id', '=', formed.id)
      .orderBy('outbox.event_pk')
      .execute();
    if (rows.length > 0) return { events: rows.map((row) => this.family.toEvent(row)), formed };
    const batch = await this.db
      .selectFrom('outbox_batches')
      .select('id')
      .where('id', '=', formed.id)
      .executeTakeFirst();
    return batch && { events: [], formed };
  }

  form(batch: Batch<E>): Promise<FormedBatch<E>> {
    return this.formBatch(batch, true);
  }

  /** A segment formed for the broker: no lease yet, the loader that receives it takes one (RabbitTransport). */
  formUnleased(batch: Batch<E>): Promise<FormedBatch<E>> {
    return this.formBatch(batch, false);
  }

  private async formBatch(batch: Batch<E>, leased: boolean): Promise<FormedBatch<E>> {
    if (batch.formed) return { ...batch, formed: batch.formed };
    const leasedUntil = Date.now() + this.leaseMs;
    const formed = await this.db.transaction().execute(async (trx) => {
      const { id } = await trx
        .insertInto('outbox_batches')
        .values({
          token: '',
          formed_at: Date.now(),
          leased_by: leased ? this.owner : null,
          lease_expires_at: leased ? leasedUntil : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      // Batch ids never repeat (AUTOINCREMENT), so neither do tokens.
      const formed = { id, token: `${this.family.tokenPrefix}${id}` };
      await trx.updateTable('outbox_batches').set({ token: formed.token }).where('id', '=', id).execute();
      // Competing loaders may have read the same rows: the batch is what this update claims.
      const claimed = new Set<number>();
      for (const [from, to] of contiguousRanges(batch.events.map((e) => e.id))) {
        const unclaimed = trx
          .selectFrom('outbox')
          .select('event_pk')
          .where('event_pk', '>=', from)
          .where('event_pk', '<=', to)
          .where('batch_id', 'is', null);
        const rows = await trx
          .updateTable('outbox')
          .set({ batch_id: id })
          .where('event_pk', 'in', this.skipLocked ? unclaimed.forUpdate().skipLocked() : unclaimed)
          .returning('event_pk')
          .execute();
        for (const row of rows) claimed.add(row.event_pk);
      }
      return { events: batch.events.filter((e) => claimed.has(e.id)), formed };
    });
    if (leased) this.keep(formed.formed.id, leasedUntil);
    return formed;
  }

  async settle(batch: FormedBatch<E>, deadLetters: readonly NewDeadLetter<E>[]): Promise<void> {
    this.release(batch);
    await this.db.transaction().execute(async (trx) => {
      const failedAt = Date.now();
      for (const letter of deadLetters) {
        await trx
          .insertInto('dead_letters')
          .values({
            event_pk: letter.event.id,
            error: letter.error,
            token: letter.token,
            failed_at: failedAt,
            job_id: letter.jobId,
          })
          .execute();
      }
      await trx.deleteFrom('outbox').where('batch_id', '=', batch.formed.id).execute();
      await trx.deleteFrom('outbox_batches').where('id', '=', batch.formed.id).execute();
    });
  }

  async backlog(): Promise<Backlog> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => [eb.fn.countAll<number>().as('events'), eb.fn.min('event_pk').as('oldest')])
      .executeTakeFirstOrThrow();
    if (row.oldest === null) return { events: 0, oldestReceivedAt: null };
    const oldest = await this.db
      .selectFrom('events')
      .select('received_at')
      .where('id', '=', row.oldest)
      .executeTakeFirstOrThrow();
    return { events: Number(row.events), oldestReceivedAt: oldest.received_at };
  }
}
