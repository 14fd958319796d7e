import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/analytics/days.ts';
import { random } from '../../src/loadgen/random.ts';
import { visitorSpan } from '../../src/loadgen/site/site-family.ts';
import { EXPERIMENTS, planSiteEvents, priceOf, SHOP, type SiteShape } from '../../src/loadgen/site/visit-flow.ts';

const END = Date.UTC(2026, 10, 30, 12);
const SESSION_GAP_MS = 30 * 60_000;

const shapeOf = (events: number, visitors: number, days: number, runTag = '0a1b2c3d'): SiteShape => {
  const span = visitorSpan(runTag, visitors);
  return { events, start: END - days * DAY_MS, end: END, runTag, firstVisitor: span.first, visitors, products: 50 };
};

const byVisitor = <T extends { userId: number }>(events: readonly T[]) => {
  const groups = new Map<number, T[]>();
  for (const e of events) groups.set(e.userId, [...(groups.get(e.userId) ?? []), e]);
  return groups;
};

describe('planSiteEvents (steplog load --family site)', () => {
  it('plans exactly the asked events, each named by its visitor and millisecond, inside the period and the run’s visitor ids', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 60 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.stringMatching(/^[0-9a-f]{8}$/),
        (events, visitors, days, seed, runTag) => {
          const shape = shapeOf(events, visitors, days, runTag);
          const planned = planSiteEvents(random(seed), shape);
          expect(planned).toHaveLength(events);
          expect(new Set(planned.map((e) => `${e.userId}:${e.time}`)).size).toBe(events);
          expect(new Set(planned.map((e) => e.eventId)).size).toBe(events);
          for (const e of planned) {
            expect(e.eventId.startsWith(runTag)).toBe(true);
            expect(e.time).toBeGreaterThanOrEqual(shape.start);
            expect(e.time).toBeLessThanOrEqual(shape.end);
            expect(e.userId).toBeGreaterThanOrEqual(shape.firstVisitor);
            expect(e.userId).toBeLessThan(shape.firstVisitor + visitors);
            expect(e.userId).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
            expect(e.url.startsWith(`${SHOP}/`)).toBe(true);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('keeps every visitor in the same experiment variants on all its events', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        const planned = planSiteEvents(random(seed), shapeOf(600, 40, 14));
        for (const events of byVisitor(planned).values()) {
          const variants = new Set(events.map((e) => JSON.stringify(e.exp)));
          expect(variants.size).toBe(1);
          for (const [experiment, variant] of Object.entries(events[0]!.exp)) {
            expect(EXPERIMENTS[experiment as keyof typeof EXPERIMENTS].variants).toContain(variant);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('walks a shop: page views, clicks on buttons, recommendations and links, purchases at the product’s price', () => {
    const planned = planSiteEvents(random(7), shapeOf(20_000, 500, 30));
    const kinds = new Set(planned.map((e) => `${e.name} ${e.obj}`));
    expect([...kinds].sort()).toEqual([
      'click button',
      'click recommendation',
      'click url',
      'purchase button',
      'view page',
      'view recommendation',
    ]);
    for (const e of planned.filter((p) => p.name === 'purchase')) {
      expect(e.productId).toBeGreaterThan(0);
      expect(e.amount).toBe(priceOf(e.productId));
      expect(e.url).toBe(`${SHOP}/cart`);
    }
    expect(planned.filter((e) => e.name !== 'purchase').every((e) => e.amount === 0)).toBe(true);
    // Every visit starts with a page view: a visitor's first event is one.
    for (const events of byVisitor(planned).values()) {
      const first = events.reduce((a, b) => (a.time < b.time ? a : b));
      expect(`${first.name} ${first.obj}`).toBe('view page');
    }
  });

  it('spaces a visitor’s visits with a long tail: gaps between sessions vary more than exponential ones', () => {
    const planned = planSiteEvents(random(11), shapeOf(60_000, 400, 60));
    // Each visitor's gaps between sessions over its own mean gap: visitors differ in how often they
    // come, and a mix of rates alone would make exponential gaps look long-tailed.
    const relative: number[] = [];
    for (const events of byVisitor(planned).values()) {
      const times = events.map((e) => e.time).sort((a, b) => a - b);
      const gaps = times
        .slice(1)
        .map((t, i) => t - times[i]!)
        .filter((gap) => gap > SESSION_GAP_MS);
      if (gaps.length < 5) continue;
      const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
      relative.push(...gaps.map((gap) => gap / mean));
    }
    const sd = Math.sqrt(relative.reduce((a, g) => a + (g - 1) ** 2, 0) / relative.length);
    // An exponential gap has a coefficient of variation of 1; Weibull with shape 0.6 about 1.76
    // (less here: the period cuts the longest gaps off).
    expect(relative.length).toBeGreaterThan(5_000);
    expect(sd).toBeGreaterThan(1.3);
  });

  it('keeps the daily volume level over the period: no crowding at its start', () => {
    const shape = shapeOf(60_000, 600, 28);
    const planned = planSiteEvents(random(5), shape);
    const week = (n: number) => {
      const from = shape.start + n * 7 * DAY_MS;
      return planned.filter((e) => e.time >= from && e.time < from + 7 * DAY_MS).length;
    };
    const weeks = [0, 1, 2, 3].map(week);
    expect(Math.max(...weeks) / Math.min(...weeks), JSON.stringify(weeks)).toBeLessThan(1.2);
  });

  it('makes variant b of the checkout experiment convert better, so the experiments mart has a difference to find', () => {
    const planned = planSiteEvents(random(3), shapeOf(60_000, 2_000, 30));
    const rate = (variant: string) => {
      const visitors = [...byVisitor(planned).values()].filter((events) => events[0]!.exp.checkout === variant);
      const buyers = visitors.filter((events) => events.some((e) => e.name === 'purchase'));
      return buyers.length / visitors.length;
    };
    expect(rate('b')).toBeGreaterThan(rate('a'));
  });
});
