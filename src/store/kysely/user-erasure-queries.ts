import type { Kysely } from 'kysely';
import type { Discard, UserErasureStore } from '../user-erasure.ts';
import type { Database } from './database.ts';

export class KyselyUserErasure implements UserErasureStore {
  constructor(private readonly db: Kysely<Database>) {}

  async inDoubtEvents(userId: number): Promise<number> {
    const row = await this.db
      .selectFrom('outbox')
      .innerJoin('events', 'events.id', 'outbox.event_pk')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('events.user_id', '=', userId)
      .where('outbox.batch_id', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async erase(userId: number, discard: Discard): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const theirs = await trx.selectFrom('events').select('id').where('user_id', '=', userId).execute();
      await discard(
        trx,
        theirs.map((row) => row.id),
      );
      await trx.deleteFrom('events').where('user_id', '=', userId).execute();
      const deleted = await trx.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
      return deleted.numDeletedRows > 0n;
    });
  }
}
