import type { HttpClient } from '../http-client.ts';
import { compareDayCells, type Verification } from '../verify.ts';
import type { PlannedSiteEvent } from './visit-flow.ts';

/** A site run's visitor ids: `first` … `first + count - 1`. */
export interface VisitorSpan {
  readonly first: number;
  readonly count: number;
}

interface StoredRow {
  user_id: number;
  time_ms: number;
  event_id: string;
  name: string;
  url: string;
  obj: string;
  obj_id: string;
  product_id: number;
  amount: number;
  exp: Record<string, string>;
  copies: number;
}

/** Rows asked for at once: visitor ranges are cut so that each holds about this many accepted events. */
const EVENTS_PER_REQUEST = 20_000;
const SHOWN = 10;

/**
 * Proves a site run's delivery. An event is named by (visitor, millisecond): the planner makes it
 * unique within a run, and it is all the seed's route keeps of an event (it takes no event_id).
 * Every stored row of the run's visitors is read back and matched, field by field.
 */
export async function verifySiteDelivery(
  client: HttpClient,
  accepted: readonly PlannedSiteEvent[],
  span: VisitorSpan,
): Promise<Verification> {
  const rows = new Map<string, StoredRow[]>();
  for (const range of visitorRanges(accepted, span)) {
    const answer = await client.ok<{ events: StoredRow[] }>('POST', '/api/verify/site-events', range);
    for (const row of answer.events) {
      const key = keyOf(row.user_id, row.time_ms);
      rows.set(key, [...(rows.get(key) ?? []), row]);
    }
  }
  const sent = new Map(accepted.map((e) => [keyOf(e.userId, e.time), e]));
  const missing = accepted.filter((e) => !rows.has(keyOf(e.userId, e.time)));
  const duplicated: string[] = [];
  const viewGaps: string[] = [];
  const attributeMismatches: string[] = [];
  for (const [key, stored] of rows) {
    const event = sent.get(key);
    if (event === undefined) continue;
    const ids = new Set(stored.map((r) => r.event_id));
    const copies = [...ids].map((id) => stored.find((r) => r.event_id === id)!.copies);
    if (stored.length > 1 || copies.some((c) => c > 1)) duplicated.push(describe(event));
    if (copies.some((c) => c === 0)) viewGaps.push(describe(event));
    attributeMismatches.push(...compareFields(event, stored[0]!));
  }
  const range = { user_id_from: span.first, user_id_to: span.first + span.count - 1 };
  const run = await client.ok<{ days: DayCount[] }>('POST', '/api/verify/site-run', range);
  return {
    delivered: accepted.length - missing.length,
    missing: missing.length,
    duplicated: duplicated.length,
    viewGaps: viewGaps.length,
    unexpected: [...rows.keys()].filter((key) => !sent.has(key)).length,
    missingIds: missing.slice(0, SHOWN).map(describe),
    duplicatedIds: duplicated.slice(0, SHOWN),
    viewGapIds: viewGaps.slice(0, SHOWN),
    dayActionMismatches: compareDays(accepted, run.days).slice(0, SHOWN),
    attributeMismatches: attributeMismatches.slice(0, SHOWN),
  };
}

const keyOf = (userId: number, timeMs: number) => `${userId}:${timeMs}`;

/** The planned event_id (the one the api route stores) and its visitor and time. */
const describe = (e: PlannedSiteEvent) => `${e.eventId} (visitor ${e.userId} at ${new Date(e.time).toISOString()})`;

/** Consecutive visitor ranges covering the whole span, each with about EVENTS_PER_REQUEST accepted events. */
function visitorRanges(accepted: readonly PlannedSiteEvent[], span: VisitorSpan) {
  const perVisitor = new Map<number, number>();
  for (const e of accepted) perVisitor.set(e.userId, (perVisitor.get(e.userId) ?? 0) + 1);
  const last = span.first + span.count - 1;
  const ranges: { user_id_from: number; user_id_to: number }[] = [];
  let from = span.first;
  let events = 0;
  for (let id = span.first; id <= last; id++) {
    events += perVisitor.get(id) ?? 0;
    if (events >= EVENTS_PER_REQUEST || id === last) {
      ranges.push({ user_id_from: from, user_id_to: id });
      from = id + 1;
      events = 0;
    }
  }
  return ranges;
}

function compareFields(event: PlannedSiteEvent, row: StoredRow): string[] {
  const want = {
    name: event.name,
    url: event.url,
    obj: event.obj,
    obj_id: event.objId,
    product_id: event.productId,
    amount: event.amount,
    exp: canonical(event.exp),
  };
  const got = { ...row, exp: canonical(row.exp) };
  return Object.entries(want)
    .filter(([field, value]) => got[field as keyof typeof want] !== value)
    .map(
      ([field, value]) =>
        `${describe(event)}: ${field} is ${JSON.stringify(got[field as keyof typeof want])}, sent ${JSON.stringify(value)}`,
    );
}

const canonical = (exp: Readonly<Record<string, string>>) =>
  JSON.stringify(Object.entries(exp).sort(([a], [b]) => (a < b ? -1 : 1)));

interface DayCount {
  day: string;
  name: string;
  events: number;
  users: number;
}

const compareDays = (accepted: readonly PlannedSiteEvent[], days: readonly DayCount[]): string[] =>
  compareDayCells(
    accepted,
    (e) => `${new Date(e.time).toISOString().slice(0, 10)} ${e.name}`,
    days.map((d) => [`${d.day} ${d.name}`, d]),
    'visitors',
  );
