import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../src/analytics/days.ts';
import { eventsPerDay } from '../../src/analytics/events-per-day.ts';
import { funnel } from '../../src/analytics/funnel.ts';
import { rebuildAggregates } from '../../src/analytics/rebuild-aggregates.ts';
import { retention } from '../../src/analytics/retention.ts';
import { stepDifficulty } from '../../src/analytics/step-difficulty.ts';
import { usersActivity, usersActivitySeries } from '../../src/analytics/users-activity.ts';
import type { ActionId, NewEvent } from '../../src/events/event.ts';
import { Loader } from '../../src/loader/loader.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { openAdapters, random, uuidFor } from '../helpers/fixtures.ts';
import { MartModel, type ModelUser } from './model.ts';
import { rawEventsPerDay, rawFunnel, rawRetention, rawStepDifficulty, rawUsersActivity } from './raw-marts.ts';

const { store, warehouse } = await openAdapters();
const transport = new OutboxTransport(store);

const START = Date.UTC(2026, 8, 1); // 2026-09-01
const SPAN_DAYS = 61;
const USERS = 80;
const STEPS = 8;
const users = new Map<number, ModelUser>();

/** Fixed-seed events over 61 days, in whole seconds, ordered as they will arrive: shuffled. */
function generate(count: number, seed: number): NewEvent[] {
  const rnd = random(seed);
  return Array.from({ length: count }, (_, i) => ({
    eventId: uuidFor(seed * 1_000_000 + i),
    time: START + Math.floor(rnd() * SPAN_DAYS * 86_400) * 1000,
    userId: 1 + Math.floor(rnd() * USERS),
    stepId: 1 + Math.floor(rnd() * STEPS),
    actionId: Math.floor(rnd() * 3) as ActionId,
  }));
}

const events = generate(4000, 42);
const LATE = Date.UTC(2026, 9, 10);
let replay = { reconciled: 0 };

beforeAll(async () => {
  for (let id = 1; id <= USERS; id++) {
    const joinDate = START + ((id * 13) % 50) * 86_400_000 - 3 * 86_400_000;
    const guest = id % 4 === 0;
    await store.createUser({ id, name: `u${id}`, email: '', joinDate, registrationDate: guest ? null : joinDate });
    users.set(id, { joinDay: new Date(joinDate).toISOString().slice(0, 10), guest });
  }
  for (let id = 1; id <= STEPS; id++) await store.createTask({ id, title: `step ${id}`, text: '' });

  // Recent events first; the older ones arrive late, out of order, after the aggregates hold newer days.
  await store.appendEvents(events.filter((e) => e.time >= LATE));
  expect(await new Loader(transport, store, warehouse, { batchSize: 500 }).run('manual')).toMatchObject({
    status: 'succeeded',
  });
  // The late events are loaded by a loader that crashes between insert and ack on its second
  // batch; the restarted loader replays that batch, reconciled against the warehouse.
  await store.appendEvents(events.filter((e) => e.time < LATE));
  let inserts = 0;
  const crashing = new Loader(transport, store, warehouse, {
    batchSize: 500,
    afterInsert: () => {
      if (++inserts === 2) throw new Error('simulated crash before ack');
    },
  });
  expect(await crashing.run('schedule')).toMatchObject({ status: 'failed' });
  replay = await new Loader(transport, store, warehouse, { batchSize: 500 }).run('schedule');
  expect(replay).toMatchObject({ status: 'succeeded' });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

const model = new MartModel(events, users);
const FROM = '2026-09-01';
const TO = '2026-10-31';

describe('marts over the -State aggregates equal raw SQL and the test’s own computation', () => {
  it('the data covers what it must: a replayed batch, late events, guests', async () => {
    expect(replay.reconciled).toBe(500);
    expect([...users.values()].some((u) => u.guest)).toBe(true);
    const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM steplog.events');
    expect(Number(row!.n)).toBe(events.length);
  });

  it.each([1, 7, 30, 45])('users_activity over %i days', async (days) => {
    for (const date of ['2026-09-05', '2026-10-09', '2026-10-10', '2026-10-31']) {
      const expected = model.usersActivity(days, date);
      expect(expected.users).toBeGreaterThan(0);
      expect(await usersActivity(warehouse, { days, date })).toEqual(expected);
      expect(await rawUsersActivity(warehouse, days, date)).toEqual(expected);
    }
  });

  it('a users_activity series answers every end day, idle ones with zeros', async () => {
    const from = '2026-08-25';
    const series = await usersActivitySeries(warehouse, { days: 7, from, to: TO });
    expect(series.map((w) => w.date)).toEqual(daysBetween(from, TO));
    expect(series).toEqual(daysBetween(from, TO).map((date) => model.usersActivity(7, date)));
    expect(series[0]).toMatchObject({ users: 0, new_users: 0 });
  });

  it('events per day', async () => {
    const answer = await eventsPerDay(warehouse, { from: addDays(FROM, -2), to: TO });
    const busy = answer.filter((d) => d.view + d.submit + d.solve > 0);
    expect(answer).toHaveLength(63);
    expect(busy).toEqual(model.eventsPerDay(FROM, TO));
    expect(busy).toEqual(await rawEventsPerDay(warehouse, FROM, TO));
  });

  it.each([
    [FROM, TO],
    ['2026-10-01', '2026-10-14'],
  ])('funnel %s … %s', async (from, to) => {
    const expected = model.funnel(from, to);
    expect(expected).toHaveLength(STEPS);
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
    const expected = model.retention('2026-08-20', TO, 6);
    expect(expected.length).toBeGreaterThan(4);
    expect(await retention(warehouse, { from: '2026-08-20', to: TO, weeks: 6 })).toEqual(expected);
    expect(await rawRetention(warehouse, '2026-08-20', TO, 6)).toEqual(expected);
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
