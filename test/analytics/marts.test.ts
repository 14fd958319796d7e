import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dailyUsers } from '../../src/analytics/daily-users.ts';
import { addDays, daysBetween } from '../../src/analytics/days.ts';
import { eventsPerDay } from '../../src/analytics/events-per-day.ts';
import { funnel } from '../../src/analytics/funnel.ts';
import { rebuildAggregates } from '../../src/analytics/rebuild-aggregates.ts';
import { retention } from '../../src/analytics/retention.ts';
import { stepDifficulty } from '../../src/analytics/step-difficulty.ts';
import { usersActivity, usersActivitySeries } from '../../src/analytics/users-activity.ts';
import { Loader } from '../../src/loader/loader.ts';
import { openAdapters } from '../helpers/fixtures.ts';
import {
  events,
  FIRST_DAY,
  inOffset,
  LAST_DAY,
  LATE,
  modelEvents,
  modelUsers,
  OFFSET_INSTANTS,
  STEPS,
  users,
} from './mart-data.ts';
import { MartModel } from './model.ts';
import {
  rawDailyUsers,
  rawEventsPerDay,
  rawFunnel,
  rawRetention,
  rawStepDifficulty,
  rawUsersActivity,
} from './raw-marts.ts';

const { store, transport, append, warehouse } = await openAdapters();
let replay = { reconciled: 0 };

beforeAll(async () => {
  for (const user of users) await store.catalog.createUser(user);
  for (let id = 1; id <= STEPS; id++) await store.catalog.createTask({ id, title: `step ${id}`, text: '' });

  // Recent events first; the older ones arrive late, out of order, after the aggregates hold newer days.
  await append(events.filter((e) => e.time >= LATE));
  expect(
    await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 500 }).run('manual'),
  ).toMatchObject({
    status: 'succeeded',
  });
  // Some guests register now: the late events load with them registered.
  for (const user of users.filter((u) => u.registersLater)) {
    await store.catalog.updateUser({ ...user, registrationDate: LATE });
  }
  // The late events are loaded by a loader that crashes between insert and ack on its second
  // batch; the restarted loader replays that batch, reconciled against the warehouse.
  await append(events.filter((e) => e.time < LATE));
  let inserts = 0;
  const crashing = new Loader(transport, store.catalog, store.importJobs, warehouse, {
    batchSize: 500,
    afterInsert: () => {
      if (++inserts === 2) throw new Error('simulated crash before ack');
    },
  });
  expect(await crashing.run('schedule')).toMatchObject({ status: 'failed' });
  replay = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 500 }).run('schedule');
  expect(replay).toMatchObject({ status: 'succeeded' });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

const model = new MartModel(modelEvents, modelUsers);
const [FROM, TO] = [FIRST_DAY, LAST_DAY];
/** "today" for retention: after every week asked, so none is in the future. */
const TODAY = '2026-12-31';

describe('marts over the -State aggregates equal raw SQL and the test’s own computation', () => {
  it('the data covers what it must: a replayed batch, late events, guests, backfill, offsets', async () => {
    expect(replay.reconciled).toBe(500);
    expect(users.some((u) => u.registrationDate === null && !u.registersLater)).toBe(true);
    expect(modelEvents.some((e) => e.guest && e.userId % 8 === 0)).toBe(true);
    expect(modelEvents.some((e) => !e.guest && e.userId % 8 === 0)).toBe(true);
    expect(modelEvents.some((e) => e.time < users[e.userId - 1]!.joinDate)).toBe(true);
    expect(inOffset(OFFSET_INSTANTS[0]!, 180)).toBe('2026-10-05T01:30:00.250+03:00');
    expect(events.filter((e) => e.time === OFFSET_INSTANTS[0]).length).toBe(6);
    const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM steplog.events');
    expect(Number(row!.n)).toBe(events.length);
  });

  it('issue 12, reproduction 1: a user who joins after the window is neither new nor returning', async () => {
    // User 81 joins 2026-11-03; a backfilled event of theirs is dated 2026-10-20.
    for (const days of [1, 7]) {
      const answer = await usersActivity(warehouse, { days, date: '2026-10-20' });
      expect(answer.users - answer.new_users - answer.returning_users).toBe(1);
    }
  });

  it('issue 12, reproduction 2: time to solve is elapsed time with millisecond fractions', async () => {
    const steps = await stepDifficulty(warehouse, { from: '2026-10-20', to: '2026-10-21' });
    expect(steps.find((s) => s.step_id === 9)?.median_seconds_to_solve).toBe(0.2);
    expect(steps.find((s) => s.step_id === 10)?.median_seconds_to_solve).toBe(5);
  });

  it.each([1, 7, 30, 45])('users_activity over %i days', async (days) => {
    for (const date of [FROM, '2026-09-05', '2026-10-04', '2026-10-05', '2026-10-10', '2026-10-20', TO]) {
      const expected = model.usersActivity(days, date);
      expect(expected.users).toBeGreaterThan(0);
      expect(await usersActivity(warehouse, { days, date })).toEqual(expected);
      expect(await rawUsersActivity(warehouse, days, date)).toEqual(expected);
    }
  });

  it.each([1, 7, 45])(
    'a users_activity series over %i days answers every end day, idle ones with zeros',
    async (days) => {
      const from = '2026-08-25';
      const series = await usersActivitySeries(warehouse, { days, from, to: TO });
      expect(series.map((w) => w.date)).toEqual(daysBetween(from, TO));
      expect(series).toEqual(daysBetween(from, TO).map((date) => model.usersActivity(days, date)));
      expect(series[0]).toMatchObject({ users: 0, new_users: 0 });
    },
  );

  it('daily users (a raw scan itself) and its raw-SQL oracle', async () => {
    const [from, to] = [addDays(FROM, -2), TO];
    const expected = model.dailyUsers(from, to);
    expect(expected.filter((d) => d.users > 1).length).toBeGreaterThan(10);
    expect(expected[0]).toEqual({ day: from, users: 0, events: 0 });
    expect(await dailyUsers(warehouse, { from, to })).toEqual(expected);
    expect(await rawDailyUsers(warehouse, from, to)).toEqual(expected);
  });

  it('events per day', async () => {
    const answer = await eventsPerDay(warehouse, { from: addDays(FROM, -2), to: TO });
    const busy = answer.filter((d) => d.view + d.submit + d.solve > 0);
    expect(answer).toHaveLength(63);
    // 2026-08-31 holds the events one millisecond before the data's first midnight.
    expect(busy).toEqual(model.eventsPerDay(addDays(FROM, -2), TO));
    expect(busy).toEqual(await rawEventsPerDay(warehouse, addDays(FROM, -2), TO));
  });

  it.each([
    [FROM, TO],
    ['2026-10-01', '2026-10-14'],
  ])('funnel %s … %s', async (from, to) => {
    const expected = model.funnel(from, to);
    expect(expected.length).toBeGreaterThanOrEqual(8);
    expect(await funnel(warehouse, { from, to })).toEqual(expected);
    expect(await rawFunnel(warehouse, from, to)).toEqual(expected);
    expect(await funnel(warehouse, { from, to, stepId: 3 })).toEqual(expected.filter((s) => s.step_id === 3));
  });

  it.each([
    [FROM, TO],
    ['2026-10-01', '2026-10-14'],
  ])('step difficulty %s … %s', async (from, to) => {
    const expected = model.stepDifficulty(from, to);
    expect(expected.some((s) => s.median_seconds_to_solve !== null)).toBe(true);
    expect(await stepDifficulty(warehouse, { from, to })).toEqual(expected);
    expect(await rawStepDifficulty(warehouse, from, to)).toEqual(expected);
  });

  it('retention by join-week cohort', async () => {
    for (const today of [TODAY, '2026-10-14']) {
      const expected = model.retention('2026-08-20', TO, 6, today);
      expect(expected.length).toBeGreaterThan(4);
      expect(await retention(warehouse, { from: '2026-08-20', to: TO, weeks: 6, today })).toEqual(expected);
      expect(await rawRetention(warehouse, '2026-08-20', TO, 6, today)).toEqual(expected);
    }
    // A week that has not begun has no share: no 0 %.
    const [last] = (await retention(warehouse, { from: '2026-10-12', to: TO, weeks: 3, today: '2026-10-14' })).slice(
      -1,
    );
    expect(last).toMatchObject({ cohort_week: '2026-10-12', active: [expect.any(Number), null, null] });
  });

  it('a rebuild from the raw events restores damaged aggregates, whole or for a range', async () => {
    const before = await usersActivitySeries(warehouse, { days: 30, from: FROM, to: TO });
    const funnelBefore = await funnel(warehouse, { from: FROM, to: TO });
    await warehouse.exec('TRUNCATE TABLE steplog.activity_daily');
    await warehouse.exec('TRUNCATE TABLE steplog.cohort_daily');
    await warehouse.exec('TRUNCATE TABLE steplog.step_progress');
    // A duplicate insert straight into the events table: the views count it, a rebuild does not.
    await warehouse.exec(
      "INSERT INTO steplog.events SELECT * FROM steplog.events WHERE toDate(time) = toDate('2026-10-05')",
    );
    await warehouse.exec('OPTIMIZE TABLE steplog.events FINAL');
    const oct5 = { from: '2026-10-05', to: '2026-10-05' };
    expect((await stepDifficulty(warehouse, oct5))[0]!.submits).toBe(
      2 * model.stepDifficulty('2026-10-05', '2026-10-05')[0]!.submits,
    );
    expect(await usersActivity(warehouse, { days: 1, date: '2026-10-15' })).toMatchObject({ users: 0 });

    const rebuilt = await rebuildAggregates(warehouse, { from: '2026-10-01', to: '2026-10-20' });
    expect(rebuilt.map((t) => [t.table, t.partitions])).toEqual([
      ['activity_daily', ['202610']],
      ['cohort_daily', ['202610']],
      ['step_daily', ['202610']],
      ['step_progress', ['all']],
    ]);
    expect(await usersActivity(warehouse, { days: 1, date: '2026-09-15' })).toMatchObject({ users: 0 });
    expect(await usersActivity(warehouse, { days: 1, date: '2026-10-15' })).toEqual(
      model.usersActivity(1, '2026-10-15'),
    );

    expect(await stepDifficulty(warehouse, oct5)).toEqual(model.stepDifficulty('2026-10-05', '2026-10-05'));

    // A month the raw events do not have: a whole rebuild drops it.
    await warehouse.exec(
      "INSERT INTO steplog.activity_daily SELECT toDate('2026-12-01'), 0, 0, uniqExactState(toUInt32(1)), countState()",
    );
    expect((await eventsPerDay(warehouse, { from: '2026-12-01', to: '2026-12-01' }))[0]!.view).toBe(1);
    await rebuildAggregates(warehouse);
    expect((await eventsPerDay(warehouse, { from: '2026-12-01', to: '2026-12-01' }))[0]!.view).toBe(0);
    expect(await usersActivitySeries(warehouse, { days: 30, from: FROM, to: TO })).toEqual(before);
    expect(await funnel(warehouse, { from: FROM, to: TO })).toEqual(funnelBefore);
    expect(await eventsPerDay(warehouse, { from: FROM, to: TO })).toEqual(
      daysBetween(FROM, TO).map((day) => model.eventsPerDay(day, day)[0] ?? { day, view: 0, submit: 0, solve: 0 }),
    );
  });
});
