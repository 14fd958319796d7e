import type { Kysely } from 'kysely';
import type { RetentionStore } from '../retention.ts';
import type { Database } from './database.ts';

export class KyselyRetention implements RetentionStore {
  constructor(private readonly db: Kysely<Database>) {}

  async deleteDeliveredBefore(time: number): Promise<number> {
    const result = await this.db
      .deleteFrom('events')
      .where('time', '<', time)
      .where('id', 'not in', (eb) => eb.selectFrom('outbox').select('event_pk'))
      .where('id', 'not in', (eb) => eb.selectFrom('dead_letters').select('event_pk'))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteDeliveredSiteBefore(time: number): Promise<number> {
    const result = await this.db
      .deleteFrom('site_events')
      .where('time', '<', time)
      .where('id', 'not in', (eb) => eb.selectFrom('site_outbox').select('event_pk'))
      .where('id', 'not in', (eb) => eb.selectFrom('site_dead_letters').select('event_pk'))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
