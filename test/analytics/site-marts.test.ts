import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, daysBetween } from '../../src/analytics/days.ts';
import { siteExperiments } from '../../src/analytics/site-experiments.ts';
import {
  DURATION_BUCKETS_S,
  EVENT_BUCKETS,
  siteActivitySeries,
  siteEventsPerDay,
  siteSessions,
  siteTopPages,
  siteTopProducts,
} from '../../src/analytics/site-marts.ts';
import type { NewSiteEvent } from '../../src/events/site-event.ts';
import { EventLoader } from '../../src/loader/loader.ts';
import { siteFamily } from '../../src/loader/site-denormalize.ts';
import { openAdapters, random, uuidFor } from '../helpers/fixtures.ts';
import { siteAdapters } from '../helpers/site-fixtures.ts';
import { SiteModel } from './site-model.ts';

/**
 * The site marts against an independent TypeScript model (site-model.ts) and, for those merged
 * from -State tables, against raw SQL over steplog.site_events, on visits generated with gaps
 * around the 30-minute session bound, late and out-of-order arrival, and a crash mid-load.
 */
const FIRST_DAY = '2026-10-01';
const LAST_DAY = '2026-10-20';
const { store, warehouse } = await openAdapters();
const { transport, append } = siteAdapters(store);

/** Visits: a visitor's events a few seconds to 40 minutes apart (exactly 30 minutes included). */
function visits(count: number, seed: number): NewSiteEvent[] {
  const rnd = random(seed);
  const out: NewSiteEvent[] = [];
  const gaps = [5_000, 60_000, 600_000, 1_800_000, 1_800_001, 2_400_000];
  for (let v = 0; v < count; v++) {
    const userId = Math.floor(rnd() * 60);
    let time = Date.parse(`${FIRST_DAY}T00:00:00Z`) + Math.floor(rnd() * 20 * 86_400_000);
    const exp =
      userId % 4 === 0 ? {} : { checkout: userId % 2 === 0 ? 'a' : 'b', ...(userId % 3 === 0 && { banner: 'on' }) };
    for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++) {
      const name = ['view', 'view', 'click', 'purchase'][Math.floor(rnd() * 4)]!;
      const product = Math.floor(rnd() * 6);
      out.push({
        eventId: uuidFor(seed * 1_000_000 + out.length),
        time,
        name,
        userId,
        url: `https://shop.example/${['', 'catalog', 'cart', 'p/1', 'p/2'][Math.floor(rnd() * 5)]}`,
        obj: name === 'view' ? 'page' : ['button', 'recommendation'][Math.floor(rnd() * 2)]!,
        objId: String(Math.floor(rnd() * 3)),
        productId: product,
        amount: name === 'purchase' ? Math.round(rnd() * 100_000) / 100 : 0,
        exp,
      });
      time += gaps[Math.floor(rnd() * gaps.length)]!;
    }
  }
  return out;
}

const events = visits(700, 3);
const model = new SiteModel(events);
const load = (batchSize: number, afterInsert?: () => void) =>
  new EventLoader(transport, siteFamily, store.importJobs, warehouse, {
    batchSize,
    ...(afterInsert && { afterInsert }),
  }).run('manual');

beforeAll(async () => {
  // Recent days first; the older events arrive late, shuffled, and their load is cut by a crash.
  const late = `${addDays(FIRST_DAY, 8)}T00:00:00Z`;
  await append(events.filter((e) => e.time >= Date.parse(late)));
  expect(await load(400)).toMatchObject({ status: 'succeeded' });
  const rnd = random(9);
  const older = events.filter((e) => e.time < Date.parse(late)).sort(() => rnd() - 0.5);
  await append(older);
  let inserts = 0;
  const crashed = await load(300, () => {
    if (++inserts === 2) throw new Error('killed');
  });
  expect(crashed.status).toBe('failed');
  expect(await load(300)).toMatchObject({ status: 'succeeded', reconciled: 300 });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

const raw = <T>(sql: string) => warehouse.query<T>(sql);
const RANGE = { from: addDays(FIRST_DAY, 2), to: addDays(LAST_DAY, -3) };

describe('site marts', () => {
  it('users activity: DAU, WAU and MAU over exact 1-, 7- and 30-day windows', async () => {
    for (const days of [1, 7, 30]) {
      const series = await siteActivitySeries(warehouse, { days, from: FIRST_DAY, to: LAST_DAY });
      expect(series.map((w) => w.users)).toEqual(
        daysBetween(FIRST_DAY, LAST_DAY).map((d) => model.activeUsers(days, d)),
      );
    }
    expect(model.activeUsers(30, LAST_DAY)).toBeGreaterThan(model.activeUsers(7, LAST_DAY));
  });

  it('users activity equals raw SQL over the events', async () => {
    const series = await siteActivitySeries(warehouse, { days: 7, from: FIRST_DAY, to: LAST_DAY });
    for (const { date, users } of series) {
      const [row] = await raw<{ users: string }>(
        `SELECT uniqExact(user_id) AS users FROM steplog.site_events
         WHERE toDate(time) BETWEEN toDate('${date}') - 6 AND toDate('${date}')`,
      );
      expect(users).toBe(Number(row!.users));
    }
  });

  it('events per day by name × obj', async () => {
    const mart = await siteEventsPerDay(warehouse, RANGE);
    expect(mart).toEqual(model.eventsPerDay(RANGE.from, RANGE.to));
    const rows = await raw<{ date: string; name: string; obj: string; events: string; users: string }>(
      `SELECT toString(toDate(time)) AS date, name, obj, count() AS events, uniqExact(user_id) AS users
       FROM steplog.site_events WHERE toDate(time) BETWEEN '${RANGE.from}' AND '${RANGE.to}'
       GROUP BY date, name, obj ORDER BY date, name, obj`,
    );
    expect(mart).toEqual(rows.map((r) => ({ ...r, events: Number(r.events), users: Number(r.users) })));
  });

  it('sessions: per day, and the duration and events-per-session distributions', async () => {
    const mart = await siteSessions(warehouse, RANGE);
    const sessions = model.sessions(RANGE.from, RANGE.to);
    expect(sessions.length).toBeGreaterThan(100);
    expect(mart.days).toEqual(
      daysBetween(RANGE.from, RANGE.to).map((date) => {
        const of = sessions.filter((s) => s.date === date);
        return {
          date,
          sessions: of.length,
          users: new Set(of.map((s) => s.userId)).size,
          avg_duration_s: of.length === 0 ? null : of.reduce((t, s) => t + s.durationMs, 0) / of.length / 1000,
          avg_events: of.length === 0 ? null : of.reduce((t, s) => t + s.events, 0) / of.length,
        };
      }),
    );
    const bucket = (bounds: readonly number[], x: number) => bounds.filter((b) => x >= b).length - 1;
    expect(mart.durations.map((d) => d.sessions)).toEqual(
      DURATION_BUCKETS_S.map(
        (_, i) => sessions.filter((s) => bucket(DURATION_BUCKETS_S, s.durationMs / 1000) === i).length,
      ),
    );
    expect(mart.events_per_session.map((d) => d.sessions)).toEqual(
      EVENT_BUCKETS.map((_, i) => sessions.filter((s) => bucket(EVENT_BUCKETS, s.events) === i).length),
    );
  });

  it('experiments: exposure, conversion, amount per user and the difference to the control', async () => {
    const mart = await siteExperiments(warehouse, { ...RANGE, conversion: 'purchase', control: 'a' });
    const expected = model.experiments(RANGE.from, RANGE.to, 'purchase');
    const flat = mart.flatMap((e) => e.variants.map((v) => ({ experiment: e.experiment, control: e.control, ...v })));
    expect(
      flat.map(({ experiment, variant, users, converted }) => ({ experiment, variant, users, converted })),
    ).toEqual(expected.map(({ experiment, variant, users, converted }) => ({ experiment, variant, users, converted })));
    expected.forEach((m, i) => expect(flat[i]!.amount_per_user).toBeCloseTo(m.amount / m.users, 6));
    const checkout = mart.find((e) => e.experiment === 'checkout')!;
    expect(checkout.control).toBe('a');
    const [a, b] = ['a', 'b'].map((v) => expected.find((m) => m.experiment === 'checkout' && m.variant === v)!);
    const [pa, pb] = [a!.converted / a!.users, b!.converted / b!.users];
    const margin = 1.96 * Math.sqrt((pa * (1 - pa)) / a!.users + (pb * (1 - pb)) / b!.users);
    const vsControl = checkout.variants.find((v) => v.variant === 'b')!.vs_control!;
    expect(vsControl.difference).toBeCloseTo(pb - pa, 12);
    expect(vsControl.low).toBeCloseTo(pb - pa - margin, 3);
    expect(vsControl.high).toBeCloseTo(pb - pa + margin, 3);
    expect(mart.find((e) => e.experiment === 'banner')!.control).toBe('on');
  });

  it('top pages and products', async () => {
    expect(await siteTopPages(warehouse, { ...RANGE, limit: 3 })).toEqual(
      model.topPages(RANGE.from, RANGE.to).slice(0, 3),
    );
    const products = await siteTopProducts(warehouse, { ...RANGE, limit: 10 });
    const expected = model.topProducts(RANGE.from, RANGE.to);
    expect(products.map(({ amount: _, ...p }) => p)).toEqual(expected.map(({ amount: _, ...p }) => p));
    products.forEach((p, i) => expect(p.amount).toBeCloseTo(expected[i]!.amount, 6));
    const rows = await raw<{ product_id: string; events: string }>(
      `SELECT product_id, count() AS events FROM steplog.site_events
       WHERE product_id > 0 AND toDate(time) BETWEEN '${RANGE.from}' AND '${RANGE.to}'
       GROUP BY product_id ORDER BY events DESC, product_id`,
    );
    expect(products.map((p) => [p.product_id, p.events])).toEqual(
      rows.map((r) => [Number(r.product_id), Number(r.events)]),
    );
  });
});
