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

  async siteInDoubtEvents(visitorId: number): Promise<number> {
    const row = await this.db
      .selectFrom('site_outbox')
      .innerJoin('site_events', 'site_events.id', 'site_outbox.event_pk')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('site_events.user_id', '=', visitorId)
      .where('site_outbox.batch_id', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async eraseSiteVisitor(visitorId: number, discard: Discard): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const theirs = await trx.selectFrom('site_events').select('id').where('user_id', '=', visitorId).execute();
      await discard(
        trx,
        theirs.map((row) => row.id),
      );
      const deleted = await trx.deleteFrom('site_events').where('user_id', '=', visitorId).executeTakeFirst();
      return Number(deleted.numDeletedRows);
    });
  }
}
