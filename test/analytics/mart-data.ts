import { expect } from 'vitest';
import { DAY_MS } from '../../src/analytics/days.ts';
import type { ActionId, NewEvent, User } from '../../src/events/event.ts';
import { normalizeEvent } from '../../src/ingest/normalize.ts';
import type { Loader } from '../../src/loader/loader.ts';
import type { Catalog } from '../../src/store/catalog.ts';
import { random, uuidFor } from '../helpers/fixtures.ts';
import type { ModelEvent, ModelUser } from './model.ts';

/**
 * The population and events of the marts test: fixed-seed random activity over 61 days plus the
 * cases the definitions tell apart (README, "What each figure means").
 */
export const FIRST_DAY = '2026-09-01';
export const LAST_DAY = '2026-10-31';
const START = Date.parse(FIRST_DAY);
const SPAN_DAYS = 61;
/** Events before this time are loaded second, late, after the aggregates hold the newer days. */
export const LATE = Date.UTC(2026, 9, 10);
/** Steps with random activity; steps 9 and 10 hold hand-made solve times. */
const RANDOM_STEPS = 8;
export const STEPS = 10;
/** Random users 1…80; 81…83 join after the data (all their events are backfilled). */
const RANDOM_USERS = 80;
const USERS = 83;

export interface MartUser extends User {
  /** A guest while the recent events load, registered before the late ones load. */
  readonly registersLater: boolean;
}

function user(id: number): MartUser {
  // Join days from 3 days before the data to 46 days into it, at any millisecond of the day
  // (some exactly at midnight); the last three join after the data.
  const joinDay =
    id > RANDOM_USERS ? Date.UTC(2026, 10, 2 + id - RANDOM_USERS) : START + (((id * 13) % 50) - 3) * DAY_MS;
  const joinDate = joinDay + (id % 5 === 0 ? 0 : (id * 7_919_993) % DAY_MS);
  const guest = id % 4 === 0;
  return {
    id,
    name: `u${id}`,
    email: '',
    joinDate,
    registrationDate: guest ? null : joinDate,
    registersLater: id % 8 === 0,
  };
}

export const users: readonly MartUser[] = Array.from({ length: USERS }, (_, i) => user(i + 1));

let sequence = 0;
const event = (time: number, userId: number, stepId: number, actionId: ActionId): NewEvent => ({
  eventId: uuidFor(++sequence),
  time,
  userId,
  stepId,
  actionId,
});

/** Random activity at millisecond times, before and after the users' join days. */
function randomEvents(count: number, seed: number): NewEvent[] {
  const rnd = random(seed);
  return Array.from({ length: count }, () =>
    event(
      START + Math.floor(rnd() * SPAN_DAYS * DAY_MS),
      1 + Math.floor(rnd() * RANDOM_USERS),
      1 + Math.floor(rnd() * RANDOM_STEPS),
      Math.floor(rnd() * 3) as ActionId,
    ),
  );
}

/** Events at exactly midnight UTC and one millisecond before it, on the data's first, inner and last days. */
const midnights = (): NewEvent[] =>
  [0, 1, 30, 39, 60].flatMap((day, i) => [
    event(START + day * DAY_MS, 1 + i, 1 + i, (i % 3) as ActionId),
    event(START + day * DAY_MS - 1, 11 + i, 1 + i, ((i + 1) % 3) as ActionId),
  ]);

const at = (iso: string) => Date.parse(iso);
/**
 * Step 9: issue 12's reproduction — a view at :00.900 and a solve at :01.100, 0.2 s apart.
 * Step 10: exactly 3, 5 and 7.5 s, a solve in the same millisecond as the view (0 s) and a solve
 * before the view (no time to solve): the upper median of 0, 3, 5, 7.5 is 5.
 */
const solveTimes = (): NewEvent[] => [
  event(at('2026-10-20T12:00:00.900Z'), 1, 9, 0),
  event(at('2026-10-20T12:00:01.100Z'), 1, 9, 2),
  ...[
    [2, 3_000],
    [3, 5_000],
    [4, 0],
    [6, 7_500],
    [5, -60_000],
  ].flatMap(([userId, elapsed]) => [
    event(at('2026-10-21T08:00:00.000Z'), userId!, 10, 0),
    event(at('2026-10-21T08:00:00.000Z') + elapsed!, userId!, 10, 2),
  ]),
];

/** Users 81…83 (joining in November) act on the data's first and last days and on 2026-10-20. */
const backfilled = (): NewEvent[] => [
  event(at('2026-10-20T09:15:00.000Z'), 81, 2, 0),
  event(at('2026-09-01T00:00:00.000Z'), 82, 3, 1),
  event(at('2026-10-31T23:59:59.999Z'), 83, 4, 2),
];

/** "2026-10-04T22:30:00.250Z" written at a UTC offset of `minutes`, as a client would send it. */
export function inOffset(ms: number, minutes: number): string {
  const local = new Date(ms + minutes * 60_000).toISOString().slice(0, 23);
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Instants near midnight UTC whose local day differs, sent through ingest's normalization with offsets. */
export const OFFSET_INSTANTS = [at('2026-10-04T22:30:00.250Z'), at('2026-10-05T00:00:00.000Z')];
const OFFSETS = [0, 180, -300, 840, -720, 330];
const withOffsets = (): NewEvent[] =>
  OFFSET_INSTANTS.flatMap((instant, i) =>
    OFFSETS.map((minutes, j) => {
      const input = { user_id: 30 + j, step_id: 5 + i, action_id: j % 3, time: inOffset(instant, minutes) };
      const normalized = normalizeEvent(input, Date.UTC(2026, 11, 1));
      if (!normalized.ok) throw new Error(normalized.message);
      return { ...normalized.event, eventId: uuidFor(++sequence), minted: false };
    }),
  );

/** Every event of the test, in the order they are appended: shuffled by the random part. */
export const events: readonly NewEvent[] = [
  ...randomEvents(4000, 42),
  ...midnights(),
  ...solveTimes(),
  ...backfilled(),
  ...withOffsets(),
];

/** What the model knows: join days, and for each event the guest status it was loaded with. */
export const modelUsers = new Map<number, ModelUser>(
  users.map((u) => [u.id, { joinDay: new Date(u.joinDate).toISOString().slice(0, 10) }]),
);
export const modelEvents: readonly ModelEvent[] = events.map((e) => {
  const u = users[e.userId - 1]!;
  return { ...e, guest: u.registrationDate === null && !(u.registersLater && e.time < LATE) };
});

/**
 * Stores the population and loads the events as the marts test does: recent events first, some
 * guests register, then the late events. `dress` changes a user before it is stored.
 */
export async function loadMartData(
  catalog: Catalog,
  append: (events: readonly NewEvent[]) => Promise<unknown>,
  loader: Pick<Loader, 'run'>,
  dress: (user: User) => User = (u) => u,
): Promise<void> {
  for (const u of users) await catalog.createUser(dress(u));
  for (let id = 1; id <= STEPS; id++) await catalog.createTask({ id, title: `step ${id}`, text: '' });
  await append(events.filter((e) => e.time >= LATE));
  expect(await loader.run('manual')).toMatchObject({ status: 'succeeded' });
  for (const u of users.filter((m) => m.registersLater)) {
    await catalog.updateUser(dress({ ...u, registrationDate: LATE }));
  }
  await append(events.filter((e) => e.time < LATE));
  expect(await loader.run('manual')).toMatchObject({ status: 'succeeded' });
}
