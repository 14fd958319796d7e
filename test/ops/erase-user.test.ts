import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from '../../src/analytics/days.ts';
import { eventsPerDay } from '../../src/analytics/events-per-day.ts';
import { funnel } from '../../src/analytics/funnel.ts';
import { retention } from '../../src/analytics/retention.ts';
import { stepDifficulty } from '../../src/analytics/step-difficulty.ts';
import { usersActivity } from '../../src/analytics/users-activity.ts';
import { siteActivitySeries, siteEventsPerDay, siteTopPages, siteTopProducts } from '../../src/analytics/site-marts.ts';
import { EventLoader, Loader } from '../../src/loader/loader.ts';
import { siteFamily } from '../../src/loader/site-denormalize.ts';
import { LoadScheduler } from '../../src/loader/scheduler.ts';
import { eraseUser, UnknownUserError } from '../../src/ops/erase-user.ts';
import { openAdapters } from '../helpers/fixtures.ts';
import { generateSiteEvents, siteAdapters } from '../helpers/site-fixtures.ts';
import { SiteModel } from '../analytics/site-model.ts';
import { events, FIRST_DAY, LAST_DAY, loadMartData, modelEvents, modelUsers } from '../analytics/mart-data.ts';
import { MartModel } from '../analytics/model.ts';

const { dir, store, transport, append, warehouse } = await openAdapters();
const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 500 });
const scheduler = new LoadScheduler(loader, { flushIntervalMs: 3_600_000, batchSize: 500 });
const site = siteAdapters(store);
const siteTransport = site.transport;
const erasureDeps = { ...store, transport, siteTransport, warehouse, scheduler, mutationTimeoutMs: 60_000 };

/** The person to erase: a registered user with events in both months, with a name and email to find. */
const VICTIM = 3;
const NAME = 'Erin Erasable';
const EMAIL = 'erin.erasable@example.com';
const victimEventIds = events.filter((e) => e.userId === VICTIM).map((e) => e.eventId);
const withoutVictim = new MartModel(
  modelEvents.filter((e) => e.userId !== VICTIM),
  new Map([...modelUsers].filter(([id]) => id !== VICTIM)),
);
const DATES = [FIRST_DAY, '2026-09-15', '2026-10-05', '2026-10-20', LAST_DAY];

/** Site events of 8 visitors, the victim's id among them, over the 10 days before 2026-10-03 (two months). */
const siteEvents = generateSiteEvents(400, 8, 77, Date.UTC(2026, 9, 3));
const victimSiteIds = siteEvents.filter((e) => e.userId === VICTIM).map((e) => e.eventId);
const siteWithoutVictim = new SiteModel(siteEvents.filter((e) => e.userId !== VICTIM));
const SITE = { from: '2026-09-20', to: '2026-10-05' };

beforeAll(async () => {
  await loadMartData(store.catalog, append, loader, (user) =>
    user.id === VICTIM ? { ...user, name: NAME, email: EMAIL } : user,
  );
  await site.append(siteEvents);
  const siteLoader = new EventLoader(siteTransport, siteFamily, store.importJobs, warehouse, { batchSize: 150 });
  expect(await siteLoader.run('manual')).toMatchObject({ status: 'succeeded' });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

/** Every mart the API serves, over the data's whole span. */
async function allFigures() {
  const activity = [];
  for (const days of [1, 7, 30]) {
    for (const date of DATES) activity.push(await usersActivity(warehouse, { days, date }));
  }
  return {
    activity,
    // Idle days answer zeros; the model lists busy days only.
    eventsPerDay: (await eventsPerDay(warehouse, { from: '2026-08-30', to: LAST_DAY })).filter(
      (d) => d.view + d.submit + d.solve > 0,
    ),
    funnel: await funnel(warehouse, { from: FIRST_DAY, to: LAST_DAY }),
    stepDifficulty: await stepDifficulty(warehouse, { from: FIRST_DAY, to: LAST_DAY }),
    retention: await retention(warehouse, { from: '2026-08-24', to: LAST_DAY, weeks: 8, today: '2026-12-31' }),
    site: {
      activity: await Promise.all(
        [1, 7, 30].map(async (days) => (await siteActivitySeries(warehouse, { days, ...SITE })).map((w) => w.users)),
      ),
      eventsPerDay: await siteEventsPerDay(warehouse, SITE),
      pages: await siteTopPages(warehouse, { ...SITE, limit: 1_000 }),
      products: (await siteTopProducts(warehouse, { ...SITE, limit: 1_000 })).map(rounded),
    },
  };
}

/** A product's figures with the amount to the cent (sums of floats differ in the last bits). */
const rounded = <P extends { amount: number }>(p: P): P => ({ ...p, amount: Math.round(p.amount * 100) / 100 });

function expectedWithoutVictim() {
  const activity = [];
  for (const days of [1, 7, 30]) for (const date of DATES) activity.push(withoutVictim.usersActivity(days, date));
  return {
    activity,
    eventsPerDay: withoutVictim.eventsPerDay('2026-08-30', LAST_DAY),
    funnel: withoutVictim.funnel(FIRST_DAY, LAST_DAY),
    stepDifficulty: withoutVictim.stepDifficulty(FIRST_DAY, LAST_DAY),
    retention: withoutVictim.retention('2026-08-24', LAST_DAY, 8, '2026-12-31'),
    site: {
      activity: [1, 7, 30].map((days) =>
        daysBetween(SITE.from, SITE.to).map((d) => siteWithoutVictim.activeUsers(days, d)),
      ),
      eventsPerDay: siteWithoutVictim.eventsPerDay(SITE.from, SITE.to),
      pages: siteWithoutVictim.topPages(SITE.from, SITE.to),
      products: siteWithoutVictim.topProducts(SITE.from, SITE.to).map(rounded),
    },
  };
}

/** Every row of every table of the warehouse's steplog database, as JSON text, by table. */
async function warehouseDump(): Promise<Map<string, string>> {
  const tables = await warehouse.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = 'steplog' AND engine NOT IN ('MaterializedView', 'View')",
  );
  const dump = new Map<string, string>();
  for (const { name } of tables) dump.set(name, JSON.stringify(await warehouse.query(`SELECT * FROM steplog.${name}`)));
  return dump;
}

/** Every row of every table of the SQLite store, as JSON text, by table (a second, read-only connection). */
function storeDump(): Map<string, string> {
  const db = new SQLite(path.join(dir, 'steplog.sqlite'), { readonly: true });
  try {
    return dumpTables(db);
  } finally {
    db.close();
  }
}

function dumpTables(db: SQLite.Database): Map<string, string> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
  return new Map(tables.map(({ name }) => [name, JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())]));
}

/** The tables whose text holds the victim's name, email or one of their event ids. */
const tracesIn = (dump: Map<string, string>) =>
  [...dump]
    .filter(([, text]) => [NAME, EMAIL, ...victimEventIds, ...victimSiteIds].some((needle) => text.includes(needle)))
    .map(([t]) => t);

describe('steplog users erase', () => {
  it('finds the person everywhere before, and their figures in the marts', async () => {
    expect(victimEventIds.length).toBeGreaterThan(20);
    expect(victimSiteIds.length).toBeGreaterThan(20);
    expect(tracesIn(await warehouseDump()).sort()).toEqual([
      'event_deliveries',
      'events',
      'site_event_deliveries',
      'site_events',
    ]);
    expect(tracesIn(storeDump()).sort()).toEqual(['events', 'site_events', 'users']);
    // The erased person counted: the figures without them differ from today's.
    expect(await allFigures()).not.toEqual(expectedWithoutVictim());
  });

  it('leaves nothing of them in any table of the warehouse or the store', async () => {
    const erasure = await eraseUser(erasureDeps, VICTIM);
    expect(erasure).toEqual({
      userId: VICTIM,
      warehouseEvents: victimEventIds.length,
      days: { from: expect.stringMatching(/^2026-0[89]-/), to: expect.stringMatching(/^2026-10-/) },
      siteEvents: victimSiteIds.length,
      siteDays: { from: expect.stringMatching(/^2026-09-2/), to: expect.stringMatching(/^2026-10-0/) },
    });
    expect(tracesIn(await warehouseDump())).toEqual([]);
    expect(tracesIn(storeDump())).toEqual([]);
    const withUserId = await warehouse.query<{ table: string }>(
      "SELECT table FROM system.columns WHERE database = 'steplog' AND name = 'user_id'",
    );
    for (const { table } of withUserId) {
      const [row] = await warehouse.query<{ n: string }>(
        `SELECT count() AS n FROM steplog.${table} WHERE user_id = ${VICTIM}`,
      );
      expect(Number(row!.n), table).toBe(0);
    }
    expect(await store.catalog.getUser(VICTIM)).toBeUndefined();
  });

  it('leaves every other user’s figures as they were: each mart equals the definitions over the others’ events', async () => {
    expect(await allFigures()).toEqual(expectedWithoutVictim());
    const [row] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM steplog.events');
    expect(Number(row!.n)).toBe(events.length - victimEventIds.length);
    const [siteRow] = await warehouse.query<{ n: string }>('SELECT count() AS n FROM steplog.site_events');
    expect(Number(siteRow!.n)).toBe(siteEvents.length - victimSiteIds.length);
  });

  it('refuses new events for the erased id, and a second erasure', async () => {
    const [answer] = await append([{ ...events[0]!, eventId: crypto.randomUUID(), userId: VICTIM }]);
    expect(answer).toMatchObject({ ok: false, field: 'user_id' });
    await expect(eraseUser(erasureDeps, VICTIM)).rejects.toBeInstanceOf(UnknownUserError);
  });
});
