import { expect } from 'vitest';
import { eventsPerDay } from '../../src/analytics/events-per-day.ts';
import { funnel } from '../../src/analytics/funnel.ts';
import { retention } from '../../src/analytics/retention.ts';
import { stepDifficulty } from '../../src/analytics/step-difficulty.ts';
import { usersActivity } from '../../src/analytics/users-activity.ts';
import { Loader } from '../../src/loader/loader.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import type { ImportJob } from '../../src/store/import-jobs.ts';
import type { KyselyStore } from '../../src/store/kysely/kysely-store.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';
import { events, FIRST_DAY, LAST_DAY, LATE, modelEvents, modelUsers, STEPS, users } from './mart-data.ts';
import { MartModel } from './model.ts';
import { rawEventsPerDay, rawFunnel, rawRetention, rawStepDifficulty, rawUsersActivity } from './raw-marts.ts';

const model = new MartModel(modelEvents, modelUsers);

/**
 * Loads the marts data (mart-data.ts) through the loader into a migrated warehouse: the recent
 * events, then some guests register, then the late events. With `crashing`, the recent events are
 * first loaded through that warehouse (a test wrapper that fails part-way) and then by a restarted
 * loader: the job it answers is that replay.
 */
export async function loadMartData(store: KyselyStore, warehouse: Warehouse, crashing?: Warehouse): Promise<ImportJob> {
  const transport = new OutboxTransport(store);
  const load = (w: Warehouse) =>
    new Loader(transport, store.catalog, store.importJobs, w, { batchSize: 500 }).run('manual');
  for (const user of users) await store.catalog.createUser(user);
  for (let id = 1; id <= STEPS; id++) await store.catalog.createTask({ id, title: `step ${id}`, text: '' });
  await store.eventLog.appendEvents(
    events.filter((e) => e.time >= LATE),
    transport.enqueue,
  );
  if (crashing) expect(await load(crashing)).toMatchObject({ status: 'failed' });
  const recent = await load(warehouse);
  expect(recent).toMatchObject({ status: 'succeeded' });
  for (const user of users.filter((u) => u.registersLater)) {
    await store.catalog.updateUser({ ...user, registrationDate: LATE });
  }
  await store.eventLog.appendEvents(
    events.filter((e) => e.time < LATE),
    transport.enqueue,
  );
  expect(await load(warehouse)).toMatchObject({ status: 'succeeded' });
  return recent;
}

/** Every mart over the aggregates equals plain SQL over the raw events and the test's model. */
export async function expectEveryMart(warehouse: Warehouse): Promise<void> {
  for (const days of [1, 7, 30]) {
    for (const date of [FIRST_DAY, '2026-10-05', '2026-10-20', LAST_DAY]) {
      const expected = model.usersActivity(days, date);
      expect(await usersActivity(warehouse, { days, date })).toEqual(expected);
      expect(await rawUsersActivity(warehouse, days, date)).toEqual(expected);
    }
  }
  const perDay = (await eventsPerDay(warehouse, { from: FIRST_DAY, to: LAST_DAY })).filter(
    (d) => d.view + d.submit + d.solve > 0,
  );
  expect(perDay).toEqual(model.eventsPerDay(FIRST_DAY, LAST_DAY));
  expect(perDay).toEqual(await rawEventsPerDay(warehouse, FIRST_DAY, LAST_DAY));
  for (const [from, to] of [
    [FIRST_DAY, LAST_DAY],
    ['2026-10-01', '2026-10-14'],
  ] as const) {
    expect(await funnel(warehouse, { from, to })).toEqual(model.funnel(from, to));
    expect(await rawFunnel(warehouse, from, to)).toEqual(model.funnel(from, to));
    expect(await stepDifficulty(warehouse, { from, to })).toEqual(model.stepDifficulty(from, to));
    expect(await rawStepDifficulty(warehouse, from, to)).toEqual(model.stepDifficulty(from, to));
  }
  const today = '2026-12-31';
  const cohorts = model.retention('2026-08-20', LAST_DAY, 6, today);
  expect(await retention(warehouse, { from: '2026-08-20', to: LAST_DAY, weeks: 6, today })).toEqual(cohorts);
  expect(await rawRetention(warehouse, '2026-08-20', LAST_DAY, 6, today)).toEqual(cohorts);
}
