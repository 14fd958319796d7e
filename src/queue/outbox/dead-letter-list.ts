import type { Kysely } from 'kysely';
import type { StoredEvent } from '../../events/event.ts';
import type { Database } from '../../store/kysely/database.ts';
import type { DeadLetter, DeadLetters, QueuedEvent } from '../transport.ts';
import { familyDb, learningOutbox, type OutboxFamily } from './outbox-family.ts';

/**
 * Dead letters kept beside the outbox, in the store's database, one list per event family. An id
 * is the event's sequence id.
 */
export class OutboxDeadLetters<E extends QueuedEvent = StoredEvent> implements DeadLetters<E> {
  private readonly db: Kysely<Database>;

  constructor(
    db: Kysely<Database>,
    private readonly family: OutboxFamily<E> = learningOutbox as unknown as OutboxFamily<E>,
  ) {
    this.db = familyDb(db, family);
  }

  async list(page: { readonly limit: number; readonly after: number }): Promise<DeadLetter<E>[]> {
    const rows = await this.db
      .selectFrom('dead_letters')
      .innerJoin('events', 'events.id', 'dead_letters.event_pk')
      .selectAll('events')
      .select(['dead_letters.error', 'dead_letters.token', 'dead_letters.failed_at', 'dead_letters.job_id'])
      .where('dead_letters.event_pk', '>', page.after)
      .orderBy('dead_letters.event_pk')
      .limit(page.limit)
      .execute();
    return rows.map((row) => ({
      event: this.family.toEvent(row),
      error: row.error,
      token: row.token,
      jobId: row.job_id,
      failedAt: row.failed_at,
    }));
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom('dead_letters')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Each retried event becomes a formed batch of one under the token of the insert that was
   * refused: if that insert reached some table or view after all, the retry completes the others
   * without doubling it.
   */
  async retry(ids?: readonly number[]): Promise<number> {
    if (ids?.length === 0) return 0;
    return this.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom('dead_letters').select(['event_pk', 'token']);
      if (ids) query = query.where('event_pk', 'in', ids);
      const letters = await query.execute();
      const formedAt = Date.now();
      for (const { event_pk, token } of letters) {
        const { id } = await trx
          .insertInto('outbox_batches')
          .values({ token, formed_at: formedAt })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx.insertInto('outbox').values({ event_pk, batch_id: id }).execute();
        await trx.deleteFrom('dead_letters').where('event_pk', '=', event_pk).execute();
      }
      return letters.length;
    });
  }

  async drop(ids?: readonly number[]): Promise<number> {
    if (ids?.length === 0) return 0;
    let query = this.db.deleteFrom('dead_letters');
    if (ids) query = query.where('event_pk', 'in', ids);
    const result = await query.executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
