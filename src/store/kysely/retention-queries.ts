import type { Kysely } from 'kysely';
import type { RetentionStore } from '../retention.ts';
import type { Database } from './database.ts';

/** Ids per DELETE of the dedup horizon: one statement holds SQLite's write lock this long at most. */
const IDS_PER_DELETE = 10_000;

/** The two event families' tables, as the outbox names them. */
const FAMILIES = [
  { events: 'events', outbox: 'outbox', deadLetters: 'dead_letters' },
  { events: 'site_events', outbox: 'site_outbox', deadLetters: 'site_dead_letters' },
] as const;

type Family = (typeof FAMILIES)[number];

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

  async forgetDeliveredReceivedBefore(receivedAt: number): Promise<number> {
    let forgotten = 0;
    for (const family of FAMILIES) forgotten += await this.forget(family, receivedAt);
    return forgotten;
  }

  /**
   * Ids follow commit order and received_at is the commit's clock, so the events received before
   * the horizon are (nearly) the ids below an edge, found by a binary search over the primary key
   * (no index on received_at, which every insert would pay for); they are then deleted range by
   * range. Each row is re-checked by its own received_at: a row out of clock order (the clock
   * stepped back) never makes an event forgotten early; at worst one is kept until a later run.
   */
  private async forget(family: Family, receivedAt: number): Promise<number> {
    const ids = await this.db
      .selectFrom(family.events)
      .select((eb) => [eb.fn.min('id').as('first'), eb.fn.max('id').as('last')])
      .executeTakeFirst();
    if (ids?.first === undefined || ids.first === null || ids.last === null) return 0;
    const end = await this.edge(family, receivedAt, Number(ids.first), Number(ids.last) + 1);
    let forgotten = 0;
    for (let from = Number(ids.first); from < end; from += IDS_PER_DELETE) {
      const result = await this.db
        .deleteFrom(family.events)
        .where('id', '>=', from)
        .where('id', '<', Math.min(end, from + IDS_PER_DELETE))
        .where('received_at', '<', receivedAt)
        .where((eb) =>
          eb.not(
            eb.exists(eb.selectFrom(family.outbox).select('event_pk').whereRef('event_pk', '=', `${family.events}.id`)),
          ),
        )
        .where((eb) =>
          eb.not(
            eb.exists(
              eb.selectFrom(family.deadLetters).select('event_pk').whereRef('event_pk', '=', `${family.events}.id`),
            ),
          ),
        )
        .executeTakeFirst();
      forgotten += Number(result.numDeletedRows);
    }
    return forgotten;
  }

  /** The first id in [low, high) whose row was received at or after `receivedAt` (high when none). */
  private async edge(family: Family, receivedAt: number, low: number, high: number): Promise<number> {
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const row = await this.db
        .selectFrom(family.events)
        .select(['id', 'received_at'])
        .where('id', '>=', middle)
        .orderBy('id')
        .limit(1)
        .executeTakeFirst();
      // PostgreSQL answers bigint columns as strings.
      if (row === undefined || Number(row.id) >= high || Number(row.received_at) >= receivedAt) high = middle;
      else low = Number(row.id) + 1;
    }
    return low;
  }
}
