import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from '../../src/analytics/days.ts';
import { eventsPerDay } from '../../src/analytics/events-per-day.ts';
import { funnel } from '../../src/analytics/funnel.ts';
import { stepDifficulty } from '../../src/analytics/step-difficulty.ts';
import { usersActivity } from '../../src/analytics/users-activity.ts';
import { siteActivitySeries, siteEventsPerDay } from '../../src/analytics/site-marts.ts';
import { EventLoader, Loader } from '../../src/loader/loader.ts';
import { siteFamily } from '../../src/loader/site-denormalize.ts';
import { LoadScheduler } from '../../src/loader/scheduler.ts';
import { applyRetention } from '../../src/ops/retention.ts';
import { OutboxDeadLetters } from '../../src/queue/outbox/dead-letter-list.ts';
import { openAdapters, uuidFor } from '../helpers/fixtures.ts';
import { generateSiteEvents, siteAdapters } from '../helpers/site-fixtures.ts';
import { SiteModel } from '../analytics/site-model.ts';
import { events, LAST_DAY, loadMartData, modelEvents, modelUsers } from '../analytics/mart-data.ts';
import { MartModel } from '../analytics/model.ts';

const { store, transport, append, warehouse } = await openAdapters();
const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 500 });
const scheduler = new LoadScheduler(loader, { flushIntervalMs: 3_600_000, batchSize: 500 });

const NOW = Date.parse('2026-11-25T12:00:00Z');
/** 50 days before NOW is 2026-10-06: September and before are whole months past it, October is kept. */
const RETENTION_MS = 50 * 86_400_000;
const KEPT_FROM = Date.parse('2026-10-01T00:00:00Z');
const kept = new MartModel(
  modelEvents.filter((e) => e.time >= KEPT_FROM),
  modelUsers,
);
const keptCount = events.filter((e) => e.time >= KEPT_FROM).length;
const OCTOBER = { from: '2026-10-01', to: LAST_DAY };
/** Window ends whose windows lie wholly in October. */
const DATES = ['2026-10-07', '2026-10-10', '2026-10-20', LAST_DAY];
/** An old event still in the backlog: retention never deletes what is not delivered. */
const UNDELIVERED = { ...events.find((e) => e.time < KEPT_FROM)!, eventId: uuidFor(999_999) };

const site = siteAdapters(store);
/** Site events over the 10 days before 2026-10-08: late September is dropped, October kept. */
const siteEvents = generateSiteEvents(300, 10, 88, Date.UTC(2026, 9, 8));
const siteKept = siteEvents.filter((e) => e.time >= KEPT_FROM);
const siteModel = new SiteModel(siteKept);
const SITE_OCTOBER = { from: '2026-10-01', to: '2026-10-07' };
const SITE_UNDELIVERED = { ...siteEvents.find((e) => e.time < KEPT_FROM)!, eventId: uuidFor(999_998) };

beforeAll(async () => {
  await loadMartData(store.catalog, append, loader);
  await append([UNDELIVERED]);
  await site.append(siteEvents);
  const siteLoader = new EventLoader(site.transport, siteFamily, store.importJobs, warehouse, { batchSize: 500 });
  expect(await siteLoader.run('manual')).toMatchObject({ status: 'succeeded' });
  await site.append([SITE_UNDELIVERED]);
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

async function octoberFigures() {
  const activity = [];
  for (const days of [1, 7]) for (const date of DATES) activity.push(await usersActivity(warehouse, { days, date }));
  return {
    activity,
    eventsPerDay: (await eventsPerDay(warehouse, OCTOBER)).filter((d) => d.view + d.submit + d.solve > 0),
    funnel: await funnel(warehouse, OCTOBER),
    stepDifficulty: await stepDifficulty(warehouse, OCTOBER),
    siteUsers: (await siteActivitySeries(warehouse, { days: 1, ...SITE_OCTOBER })).map((w) => w.users),
    siteEventsPerDay: await siteEventsPerDay(warehouse, SITE_OCTOBER),
  };
}

function keptModel() {
  const activity = [];
  for (const days of [1, 7]) for (const date of DATES) activity.push(kept.usersActivity(days, date));
  return {
    activity,
    eventsPerDay: kept.eventsPerDay(OCTOBER.from, OCTOBER.to),
    funnel: kept.funnel(OCTOBER.from, OCTOBER.to),
    stepDifficulty: kept.stepDifficulty(OCTOBER.from, OCTOBER.to),
    siteUsers: daysBetween(SITE_OCTOBER.from, SITE_OCTOBER.to).map((d) => siteModel.activeUsers(1, d)),
    siteEventsPerDay: siteModel.eventsPerDay(SITE_OCTOBER.from, SITE_OCTOBER.to),
  };
}

let keptCountAfterLate = keptCount;
const count = async (sql: string) => Number((await warehouse.query<{ n: string }>(sql))[0]!.n);
const partitionsBefore = (month: string) =>
  warehouse.query<{ table: string; partition_id: string }>(
    `SELECT DISTINCT table, partition_id FROM system.parts WHERE database = 'steplog' AND active ` +
      `AND partition_id != 'all' AND partition_id < '${month}' ORDER BY table, partition_id`,
  );

describe('STEPLOG_RETENTION', () => {
  it('has months to drop before it runs, and first views in them that shape October’s funnel', async () => {
    expect((await partitionsBefore('202610')).map((p) => p.table)).toEqual(
      expect.arrayContaining([
        'activity_daily',
        'cohort_daily',
        'events',
        'site_daily',
        'site_events',
        'site_page_daily',
        'site_product_daily',
        'step_daily',
      ]),
    );
    expect((await octoberFigures()).funnel).not.toEqual(keptModel().funnel);
  });

  it('drops whole months past the retention from every warehouse table and the store', async () => {
    const delivered = events.filter((e) => e.time < KEPT_FROM).length;
    expect(
      await applyRetention(
        { retention: store.retention, warehouse, scheduler, mutationTimeoutMs: 60_000 },
        RETENTION_MS,
        NOW,
      ),
    ).toEqual({
      keptFrom: '2026-10-01',
      droppedMonths: ['202608', '202609'],
      storeEvents: delivered,
      siteDroppedMonths: ['202609'],
      storeSiteEvents: siteEvents.length - siteKept.length,
    });
    expect(await partitionsBefore('202610')).toEqual([]);
    expect(await count('SELECT count() AS n FROM steplog.events')).toBe(keptCount);
    expect(await count('SELECT count() AS n FROM steplog.event_deliveries')).toBe(keptCount);
    expect(
      await count("SELECT count() AS n FROM steplog.events WHERE time < toDateTime('2026-10-01 00:00:00', 'UTC')"),
    ).toBe(0);
    expect(await count('SELECT count() AS n FROM steplog.site_events')).toBe(siteKept.length);
    expect(await count('SELECT count() AS n FROM steplog.site_event_deliveries')).toBe(siteKept.length);
    // The undelivered old events stay in the backlog.
    expect((await transport.backlog()).events).toBe(1);
    expect((await site.transport.backlog()).events).toBe(1);
  });

  it('keeps every mart over the kept period exact: equal to the definitions over the kept events', async () => {
    expect(await octoberFigures()).toEqual(keptModel());
  });

  it('dead-letters late events of a dropped month instead of loading them (both families)', async () => {
    // The same first kept day (2026-10-01) as of the loader's own clock.
    const retentionMs = Date.now() - Date.parse('2026-10-06T00:00:00Z');
    const fresh = { ...events.find((e) => e.time >= KEPT_FROM)!, eventId: uuidFor(999_997) };
    await append([fresh]);
    const late = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 500, retentionMs });
    expect(await late.run('manual')).toMatchObject({ status: 'succeeded', rows: 1, deadLettered: 1 });
    const siteLate = new EventLoader(site.transport, siteFamily, store.importJobs, warehouse, {
      batchSize: 500,
      retentionMs,
    });
    expect(await siteLate.run('manual')).toMatchObject({ status: 'succeeded', deadLettered: 1 });
    expect(await partitionsBefore('202610')).toEqual([]);
    expect(await count('SELECT count() AS n FROM steplog.events')).toBe(keptCount + 1);
    expect(await count('SELECT count() AS n FROM steplog.site_events')).toBe(siteKept.length);
    const letters = await new OutboxDeadLetters(store.db).list({ limit: 10, after: 0 });
    expect(letters.map((l) => [l.event.eventId, l.error])).toEqual([
      [UNDELIVERED.eventId, 'expired: before 2026-10-01, the first day STEPLOG_RETENTION keeps'],
    ]);
    expect((await transport.backlog()).events).toBe(0);
    expect((await site.transport.backlog()).events).toBe(0);
    keptCountAfterLate = keptCount + 1;
  });

  it('does nothing more when run again', async () => {
    expect(
      await applyRetention(
        { retention: store.retention, warehouse, scheduler, mutationTimeoutMs: 60_000 },
        RETENTION_MS,
        NOW,
      ),
    ).toEqual({
      keptFrom: '2026-10-01',
      droppedMonths: [],
      storeEvents: 0,
      siteDroppedMonths: [],
      storeSiteEvents: 0,
    });
    expect(await count('SELECT count() AS n FROM steplog.events')).toBe(keptCountAfterLate);
  });
});
