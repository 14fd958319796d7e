import { sql, type Kysely } from 'kysely';
import type { NewEvent, StoredEvent } from '../../events/event.ts';
import type { PageRequest } from '../catalog.ts';
import type { AppendResult, Enqueue, EventLog, MinuteCount } from '../event-log.ts';
import { chunks } from './chunks.ts';
import type { Database } from './database.ts';
import { toEvent } from './rows.ts';
import { guardedWrite, IDS_PER_STATEMENT, type SqlDialect } from './sql-dialect.ts';

export class KyselyEventLog implements EventLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async appendEvents(events: readonly NewEvent[], enqueue: Enqueue): Promise<AppendResult[]> {
    if (events.length === 0) return [];
    return guardedWrite(this.dialect, () =>
      this.db.transaction().execute(async (trx) => {
        const users = await existing(
          trx,
          'users',
          events.map((e) => e.userId),
        );
        const tasks = await existing(
          trx,
          'tasks',
          events.map((e) => e.stepId),
        );
        const stored = await this.storedByEventId(trx, events);

        const fresh: NewEvent[] = [];
        const freshIds = new Set<string>();
        for (const e of events) {
          if (users.has(e.userId) && tasks.has(e.stepId) && !stored.has(e.eventId) && !freshIds.has(e.eventId)) {
            fresh.push(e);
            freshIds.add(e.eventId);
          }
        }
        const inserted = await this.dialect.insertEvents(trx, fresh, Date.now());
        await enqueue(trx, inserted);
        const byEventId = new Map(inserted.map((event) => [event.eventId, event]));
        if (inserted.length < fresh.length) {
          // Another process committed some of these event_ids meanwhile: they are repeats too.
          const raced = fresh.filter((e) => !byEventId.has(e.eventId));
          for (const [eventId, event] of await this.storedByEventId(trx, raced)) stored.set(eventId, event);
        }

        const answered = new Set<string>();
        return events.map((e): AppendResult => {
          if (!users.has(e.userId))
            return { ok: false, field: 'user_id', message: `user_id ${e.userId}: no such user` };
          if (!tasks.has(e.stepId))
            return { ok: false, field: 'step_id', message: `step_id ${e.stepId}: no such task` };
          const earlier = stored.get(e.eventId);
          if (earlier) return { ok: true, event: earlier, duplicate: true };
          const duplicate = answered.has(e.eventId);
          answered.add(e.eventId);
          return { ok: true, event: byEventId.get(e.eventId)!, duplicate };
        });
      }),
    );
  }

  /** Events already stored under the client-given event_ids (server-minted ids are new by construction). */
  private async storedByEventId(trx: Kysely<Database>, events: readonly NewEvent[]): Promise<Map<string, StoredEvent>> {
    const stored = new Map<string, StoredEvent>();
    const clientIds = new Set(events.filter((e) => !e.minted).map((e) => e.eventId));
    for (const part of chunks([...clientIds], IDS_PER_STATEMENT)) {
      const rows = await trx.selectFrom('events').selectAll().where('event_id', 'in', part).execute();
      for (const row of rows) stored.set(row.event_id, toEvent(row));
    }
    return stored;
  }

  async listEvents(page: PageRequest): Promise<StoredEvent[]> {
    const rows = await this.db
      .selectFrom('events')
      .selectAll()
      .where('id', '>', page.after)
      .orderBy('id')
      .limit(page.limit)
      .execute();
    return rows.map(toEvent);
  }

  receivedPerMinute(since: number): Promise<MinuteCount[]> {
    return receivedPerMinute(this.db, 'events', since);
  }
}

/** Events of a family's table committed per minute since `since` (epoch ms), minutes without any absent. */
export async function receivedPerMinute(
  db: Kysely<Database>,
  table: 'events' | 'site_events',
  since: number,
): Promise<MinuteCount[]> {
  const minute = sql<number>`(received_at / 60000) * 60000`;
  const rows = await db
    .selectFrom(table)
    .select([minute.as('minute'), (eb) => eb.fn.countAll<number>().as('events')])
    .where('received_at', '>=', since)
    .groupBy(minute)
    .orderBy(minute)
    .execute();
  return rows.map((row) => ({ minute: Number(row.minute), events: Number(row.events) }));
}

/**
 * Which of these user or task ids exist, asked inside the commit's transaction: a task deleted a
 * moment ago (or by another process) is refused as unknown, never left to fail the whole group
 * commit on its foreign key. One query per distinct-id list and table per commit.
 */
async function existing(db: Kysely<Database>, table: 'users' | 'tasks', ids: readonly number[]): Promise<Set<number>> {
  const found = new Set<number>();
  for (const part of chunks([...new Set(ids)], IDS_PER_STATEMENT)) {
    const rows = await db.selectFrom(table).select('id').where('id', 'in', part).execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}
