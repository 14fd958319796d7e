import { toDateTime } from '../loader/warehouse-time.ts';
import type { PlannedEvent } from './behaviour.ts';
import type { GeneratedEvent } from './family.ts';
import type { HttpClient } from './http-client.ts';
import type { PlannedUser } from './population.ts';
import { MAX_IDS_PER_CHECK } from './visibility.ts';

/** What the warehouse holds of a run, against what the server accepted. */
export interface Verification {
  /** Accepted events found in ClickHouse. */
  readonly delivered: number;
  readonly missing: number;
  /** Accepted events with more than one row, or whose views saw more than one insert. */
  readonly duplicated: number;
  /**
   * Accepted events in steplog.events that the views (delivery ledger, aggregates) never saw: an
   * insert cut between the table and its views (see src/loader/reconcile.ts).
   */
  readonly viewGaps: number;
  /** Events of the run in ClickHouse that were never accepted. */
  readonly unexpected: number;
  /** The first few ids of each kind, to start an investigation with. */
  readonly missingIds: readonly string[];
  readonly duplicatedIds: readonly string[];
  readonly viewGapIds: readonly string[];
  /** Day × action (site: day × name) cells whose events or unique users differ from what was sent. */
  readonly dayActionMismatches: readonly string[];
  /** Users whose denormalized attributes or event counts differ from the store's (site: events whose stored fields differ). */
  readonly attributeMismatches: readonly string[];
}

interface RunAnswer {
  rows: number;
  event_ids: number;
  days: { day: string; action_id: number; events: number; users: number }[];
  users: {
    user_id: number;
    name: string;
    email: string;
    join_date: string;
    registration_date: string | null;
    is_guest: boolean;
    events: number;
  }[];
}

const SHOWN = 10;

/** Asks the server's warehouse about every accepted event and about the run as a whole. */
export async function verifyDelivery(
  client: HttpClient,
  runTag: string,
  accepted: readonly PlannedEvent[],
  users: readonly PlannedUser[],
): Promise<Verification> {
  const found = new Map<string, { rows: number; copies: number }>();
  for (let i = 0; i < accepted.length; i += MAX_IDS_PER_CHECK) {
    const ids = accepted.slice(i, i + MAX_IDS_PER_CHECK).map((e) => e.eventId);
    const answer = await client.ok<{ events: { event_id: string; rows: number; copies: number }[] }>(
      'POST',
      '/api/verify/events',
      { event_ids: ids },
    );
    for (const { event_id, rows, copies } of answer.events) found.set(event_id, { rows, copies });
  }
  const idsWhere = (test: (f: { rows: number; copies: number }) => boolean) =>
    [...found].filter(([, f]) => test(f)).map(([id]) => id);
  const deliveredIds = idsWhere((f) => f.rows > 0);
  const delivered = new Set(deliveredIds);
  const missingIds = accepted.filter((e) => !delivered.has(e.eventId)).map((e) => e.eventId);
  const duplicatedIds = idsWhere((f) => f.rows > 1 || f.copies > 1);
  const viewGapIds = idsWhere((f) => f.rows > 0 && f.copies === 0);
  const run = await client.ok<RunAnswer>('POST', '/api/verify/run', { event_id_prefix: runTag });

  return {
    delivered: delivered.size,
    missing: missingIds.length,
    duplicated: duplicatedIds.length,
    viewGaps: viewGapIds.length,
    unexpected: run.event_ids - delivered.size,
    missingIds: missingIds.slice(0, SHOWN),
    duplicatedIds: duplicatedIds.slice(0, SHOWN),
    viewGapIds: viewGapIds.slice(0, SHOWN),
    dayActionMismatches: compareDays(accepted, run.days).slice(0, SHOWN),
    attributeMismatches: compareUsers(accepted, users, run.users).slice(0, SHOWN),
  };
}

function compareDays(accepted: readonly PlannedEvent[], days: RunAnswer['days']): string[] {
  return compareDayCells(
    accepted,
    (e) => `${dayOf(e.time)} action ${e.actionId}`,
    days.map((d) => [`${d.day} action ${d.action_id}`, d]),
    'users',
  );
}

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

/**
 * The cells (a UTC day and what happened) whose events or distinct users differ between what was
 * sent and what the warehouse counted; `cellOf` names an event's cell as the `found` keys do.
 */
export function compareDayCells<E extends GeneratedEvent>(
  accepted: readonly E[],
  cellOf: (event: E) => string,
  found: readonly (readonly [string, { events: number; users: number }])[],
  users: string,
): string[] {
  const expected = new Map<string, { events: number; users: Set<number> }>();
  for (const e of accepted) {
    const key = cellOf(e);
    const cell = expected.get(key) ?? { events: 0, users: new Set<number>() };
    cell.events += 1;
    cell.users.add(e.userId);
    expected.set(key, cell);
  }
  const counted = new Map(found);
  const mismatches: string[] = [];
  for (const key of new Set([...expected.keys(), ...counted.keys()])) {
    const want = { events: expected.get(key)?.events ?? 0, users: expected.get(key)?.users.size ?? 0 };
    const got = { events: counted.get(key)?.events ?? 0, users: counted.get(key)?.users ?? 0 };
    if (want.events !== got.events || want.users !== got.users) {
      mismatches.push(
        `${key}: sent ${want.events} events/${want.users} ${users}, ClickHouse has ${got.events}/${got.users}`,
      );
    }
  }
  return mismatches.sort();
}

function compareUsers(
  accepted: readonly PlannedEvent[],
  users: readonly PlannedUser[],
  rows: RunAnswer['users'],
): string[] {
  const byId = new Map(users.map((u) => [u.id, u]));
  const eventsOf = new Map<number, number>();
  for (const e of accepted) eventsOf.set(e.userId, (eventsOf.get(e.userId) ?? 0) + 1);
  const mismatches: string[] = [];
  const seen = new Set<number>();
  for (const row of rows) {
    const user = byId.get(row.user_id);
    if (seen.has(row.user_id)) mismatches.push(`user ${row.user_id}: rows disagree on its attributes`);
    seen.add(row.user_id);
    if (!user) {
      mismatches.push(`user ${row.user_id}: not a user of this run`);
      continue;
    }
    const want = {
      name: user.name,
      email: user.email,
      join_date: toDateTime(user.joinDate),
      registration_date: user.registrationDate === null ? null : toDateTime(user.registrationDate),
      is_guest: user.registrationDate === null,
    };
    for (const [field, value] of Object.entries(want)) {
      const got = row[field as keyof typeof want];
      if (got !== value)
        mismatches.push(`user ${row.user_id}: ${field} is ${JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
    }
    if (row.events !== eventsOf.get(row.user_id)) {
      mismatches.push(
        `user ${row.user_id}: ${row.events} events in ClickHouse, ${eventsOf.get(row.user_id) ?? 0} accepted`,
      );
    }
  }
  for (const id of eventsOf.keys()) if (!seen.has(id)) mismatches.push(`user ${id}: no events in ClickHouse`);
  return mismatches;
}
