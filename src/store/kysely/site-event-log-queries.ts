import type { Kysely, Selectable } from 'kysely';
import type { NewSiteEvent, StoredSiteEvent } from '../../events/site-event.ts';
import type { AppendResult, Enqueue, MinuteCount } from '../event-log.ts';
import { receivedPerMinute } from './event-log-queries.ts';
import type { SiteEventLog } from '../site-event-log.ts';
import { chunks } from './chunks.ts';
import type { Database } from './database.ts';
import { guardedWrite, IDS_PER_STATEMENT, type SqlDialect } from './sql-dialect.ts';

/** Columns per row, so that a multi-row INSERT stays under every driver's bound-parameter limit. */
const ROWS_PER_INSERT = Math.floor(IDS_PER_STATEMENT / 12);

export class KyselySiteEventLog implements SiteEventLog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  receivedPerMinute(since: number): Promise<MinuteCount[]> {
    return receivedPerMinute(this.db, 'site_events', since);
  }

  appendEvents(
    events: readonly NewSiteEvent[],
    enqueue: Enqueue<StoredSiteEvent>,
  ): Promise<AppendResult<StoredSiteEvent>[]> {
    if (events.length === 0) return Promise.resolve([]);
    return guardedWrite(this.dialect, () =>
      this.db.transaction().execute(async (trx) => {
        const stored = await storedByEventId(trx, events);
        const fresh = new Map<string, NewSiteEvent>();
        for (const e of events) if (!stored.has(e.eventId) && !fresh.has(e.eventId)) fresh.set(e.eventId, e);
        const receivedAt = Date.now();
        const inserted: StoredSiteEvent[] = [];
        for (const part of chunks([...fresh.values()], ROWS_PER_INSERT)) {
          const ids = await trx
            .insertInto('site_events')
            .values(part.map((e) => toRow(e, receivedAt)))
            .returning('id')
            .execute();
          part.forEach((e, i) => inserted.push({ ...e, id: ids[i]!.id, receivedAt }));
        }
        await enqueue(trx, inserted);
        const byEventId = new Map(inserted.map((e) => [e.eventId, e]));
        const answered = new Set<string>();
        return events.map((e): AppendResult<StoredSiteEvent> => {
          const earlier = stored.get(e.eventId);
          if (earlier) return { ok: true, event: earlier, duplicate: true };
          const duplicate = answered.has(e.eventId);
          answered.add(e.eventId);
          return { ok: true, event: byEventId.get(e.eventId)!, duplicate };
        });
      }),
    );
  }
}

async function storedByEventId(
  trx: Kysely<Database>,
  events: readonly NewSiteEvent[],
): Promise<Map<string, StoredSiteEvent>> {
  const stored = new Map<string, StoredSiteEvent>();
  const clientIds = new Set(events.filter((e) => !e.minted).map((e) => e.eventId));
  for (const part of chunks([...clientIds], IDS_PER_STATEMENT)) {
    const rows = await trx.selectFrom('site_events').selectAll().where('event_id', 'in', part).execute();
    for (const row of rows) stored.set(row.event_id, toSiteEvent(row));
  }
  return stored;
}

const toRow = (e: NewSiteEvent, receivedAt: number) => ({
  event_id: e.eventId,
  time: e.time,
  name: e.name,
  user_id: e.userId,
  url: e.url,
  obj: e.obj,
  obj_id: e.objId,
  product_id: e.productId,
  amount: e.amount,
  exp: JSON.stringify(e.exp),
  received_at: receivedAt,
});

/** Number(): a PostgreSQL driver answers 64-bit integers (the ids up to 2^53 - 1) as strings. */
export const toSiteEvent = (row: Selectable<Database['site_events']>): StoredSiteEvent => ({
  id: Number(row.id),
  eventId: row.event_id,
  time: row.time,
  name: row.name,
  userId: Number(row.user_id),
  url: row.url,
  obj: row.obj,
  objId: row.obj_id,
  productId: Number(row.product_id),
  amount: Number(row.amount),
  exp: JSON.parse(row.exp) as Record<string, string>,
  receivedAt: row.received_at,
});
