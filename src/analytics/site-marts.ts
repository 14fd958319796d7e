import type { Warehouse } from '../warehouse/warehouse.ts';
import { daysBetween, type Count, type DayRange } from './days.ts';
import { sqlFile } from './sql-file.ts';

/** The site marts (de-demo's event family), merged from the site -State tables or, for sessions and experiments, read from the raw events. */
const ACTIVITY_SQL = sqlFile('site-activity');
const EVENTS_SQL = sqlFile('site-events-per-day');
const SESSIONS_SQL = sqlFile('site-sessions');
const PAGES_SQL = sqlFile('site-top-pages');
const PRODUCTS_SQL = sqlFile('site-top-products');

/** Distinct visitors over the `days`-day window ending at each day of the range (1 DAU, 7 WAU, 30 MAU). */
export async function siteActivitySeries(
  warehouse: Warehouse,
  query: DayRange & { readonly days: number },
): Promise<{ date: string; users: number }[]> {
  const rows = await warehouse.query<{ date: string; users: Count }>(ACTIVITY_SQL, { ...query });
  const byDate = new Map(rows.map((row) => [row.date, Number(row.users)]));
  return daysBetween(query.from, query.to).map((date) => ({ date, users: byDate.get(date) ?? 0 }));
}

export interface SiteEventsOfDay {
  readonly date: string;
  readonly name: string;
  readonly obj: string;
  readonly events: number;
  readonly users: number;
}

/** Events and distinct visitors per day, name and obj; only the combinations that occurred. */
export async function siteEventsPerDay(warehouse: Warehouse, range: DayRange): Promise<SiteEventsOfDay[]> {
  const rows = await warehouse.query<Omit<SiteEventsOfDay, 'events' | 'users'> & { events: Count; users: Count }>(
    EVENTS_SQL,
    { ...range },
  );
  return rows.map((row) => ({ ...row, events: Number(row.events), users: Number(row.users) }));
}

/** Lower bounds of the session duration buckets, in seconds: 0, 1 min, 5 min, 15 min, 30 min, 1 h, 2 h. */
export const DURATION_BUCKETS_S = [0, 60, 300, 900, 1800, 3600, 7200] as const;
/** Lower bounds of the events-per-session buckets: 1, 2, 3–5, 6–10, 11–20, 21+. */
export const EVENT_BUCKETS = [1, 2, 3, 6, 11, 21] as const;

export interface SessionsOfDay {
  readonly date: string;
  readonly sessions: number;
  /** Distinct visitors with a session starting that day. */
  readonly users: number;
  /** Mean session duration (first to last event), seconds; null without sessions. */
  readonly avg_duration_s: number | null;
  readonly avg_events: number | null;
}

export interface SessionsMart {
  readonly days: SessionsOfDay[];
  /** Sessions per duration bucket (`from_s` inclusive, up to the next bucket's). */
  readonly durations: { from_s: number; sessions: number }[];
  readonly events_per_session: { from_events: number; sessions: number }[];
}

/** `lower bounds` as a ClickHouse array literal; `arrayCount` of those ≤ x is x's bucket number (1-based). */
const bucketOf = (column: string, bounds: readonly number[]) =>
  `arrayCount(b -> ${column} >= b, [${bounds.join(', ')}])`;

/** Sessions (30 minutes without an event end one) among the events of the range, by the day each starts. */
export async function siteSessions(warehouse: Warehouse, range: DayRange): Promise<SessionsMart> {
  const [days, durations, events] = await Promise.all([
    warehouse.query<{ date: string; sessions: Count; users: Count; duration_ms: Count; events: Count }>(
      `SELECT toString(day) AS date, count() AS sessions, uniqExact(user_id) AS users,
              sum(duration_ms) AS duration_ms, sum(events) AS events
       FROM (${SESSIONS_SQL}) GROUP BY day`,
      { ...range },
    ),
    warehouse.query<{ bucket: Count; sessions: Count }>(
      `SELECT ${bucketOf(
        'duration_ms',
        DURATION_BUCKETS_S.map((s) => s * 1000),
      )} AS bucket, count() AS sessions
       FROM (${SESSIONS_SQL}) GROUP BY bucket`,
      { ...range },
    ),
    warehouse.query<{ bucket: Count; sessions: Count }>(
      `SELECT ${bucketOf('events', EVENT_BUCKETS)} AS bucket, count() AS sessions
       FROM (${SESSIONS_SQL}) GROUP BY bucket`,
      { ...range },
    ),
  ]);
  const byDate = new Map(days.map((row) => [row.date, row]));
  const histogram = (rows: { bucket: Count; sessions: Count }[]) =>
    new Map(rows.map((row) => [Number(row.bucket), Number(row.sessions)]));
  const byDuration = histogram(durations);
  const byEvents = histogram(events);
  return {
    days: daysBetween(range.from, range.to).map((date) => {
      const row = byDate.get(date);
      const sessions = Number(row?.sessions ?? 0);
      return {
        date,
        sessions,
        users: Number(row?.users ?? 0),
        avg_duration_s: sessions === 0 ? null : Number(row!.duration_ms) / sessions / 1000,
        avg_events: sessions === 0 ? null : Number(row!.events) / sessions,
      };
    }),
    durations: DURATION_BUCKETS_S.map((from_s, i) => ({ from_s, sessions: byDuration.get(i + 1) ?? 0 })),
    events_per_session: EVENT_BUCKETS.map((from_events, i) => ({ from_events, sessions: byEvents.get(i + 1) ?? 0 })),
  };
}

export interface PageFigures {
  readonly url: string;
  readonly events: number;
  readonly users: number;
}

/** The `limit` pages (obj = 'page') with the most events in the range. */
export async function siteTopPages(warehouse: Warehouse, query: DayRange & { limit: number }): Promise<PageFigures[]> {
  const rows = await warehouse.query<{ url: string; events: Count; users: Count }>(PAGES_SQL, { ...query });
  return rows.map((row) => ({ url: row.url, events: Number(row.events), users: Number(row.users) }));
}

export interface ProductFigures {
  readonly product_id: number;
  readonly events: number;
  readonly users: number;
  readonly purchases: number;
  readonly amount: number;
}

/** The `limit` products (product_id > 0) with the most events in the range. */
export async function siteTopProducts(
  warehouse: Warehouse,
  query: DayRange & { limit: number },
): Promise<ProductFigures[]> {
  const rows = await warehouse.query<Record<keyof ProductFigures, Count>>(PRODUCTS_SQL, { ...query });
  return rows.map((row) => ({
    product_id: Number(row.product_id),
    events: Number(row.events),
    users: Number(row.users),
    purchases: Number(row.purchases),
    amount: Number(row.amount),
  }));
}
