import type { NewSiteEvent } from '../../src/events/site-event.ts';

/**
 * The site marts computed in plain TypeScript from the documented definitions (README, "Site
 * marts"), never from the SQL they check. Days are UTC days of the event time.
 */
const DAY_MS = 86_400_000;
const SESSION_GAP_MS = 30 * 60_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const inRange = (e: NewSiteEvent, from: string, to: string) => dayOf(e.time) >= from && dayOf(e.time) <= to;

export class SiteModel {
  constructor(private readonly events: readonly NewSiteEvent[]) {}

  /** Distinct visitors with an event on one of the `days` days ending at `date`. */
  activeUsers(days: number, date: string): number {
    const first = dayOf(Date.parse(date) - (days - 1) * DAY_MS);
    return new Set(this.events.filter((e) => inRange(e, first, date)).map((e) => e.userId)).size;
  }

  eventsPerDay(from: string, to: string) {
    const groups = new Map<string, { date: string; name: string; obj: string; events: number; users: Set<number> }>();
    for (const e of this.events.filter((e) => inRange(e, from, to))) {
      const key = JSON.stringify([dayOf(e.time), e.name, e.obj]);
      let group = groups.get(key);
      if (!group)
        groups.set(key, (group = { date: dayOf(e.time), name: e.name, obj: e.obj, events: 0, users: new Set() }));
      group.events += 1;
      group.users.add(e.userId);
    }
    return [...groups.values()]
      .map((g) => ({ ...g, users: g.users.size }))
      .sort((a, b) => cmp(a.date, b.date) || cmp(a.name, b.name) || cmp(a.obj, b.obj));
  }

  /** Every session of the range: a visitor's events in time order, split where the gap exceeds 30 minutes. */
  sessions(from: string, to: string): { userId: number; date: string; durationMs: number; events: number }[] {
    const byUser = new Map<number, number[]>();
    for (const e of this.events.filter((e) => inRange(e, from, to))) {
      byUser.set(e.userId, [...(byUser.get(e.userId) ?? []), e.time]);
    }
    const out: { userId: number; date: string; durationMs: number; events: number }[] = [];
    for (const [userId, times] of byUser) {
      times.sort((a, b) => a - b);
      let start = 0;
      for (let i = 1; i <= times.length; i++) {
        if (i === times.length || times[i]! - times[i - 1]! > SESSION_GAP_MS) {
          out.push({
            userId,
            date: dayOf(times[start]!),
            durationMs: times[i - 1]! - times[start]!,
            events: i - start,
          });
          start = i;
        }
      }
    }
    return out;
  }

  experiments(from: string, to: string, conversion: string) {
    const events = this.events.filter((e) => inRange(e, from, to));
    const exposed = new Map<string, Set<number>>();
    for (const e of events) {
      for (const [experiment, variant] of Object.entries(e.exp)) {
        const key = JSON.stringify([experiment, variant]);
        exposed.set(key, (exposed.get(key) ?? new Set()).add(e.userId));
      }
    }
    const converted = new Set(events.filter((e) => e.name === conversion).map((e) => e.userId));
    const amount = new Map<number, number>();
    for (const e of events) amount.set(e.userId, (amount.get(e.userId) ?? 0) + e.amount);
    return [...exposed]
      .map(([key, users]) => {
        const [experiment, variant] = JSON.parse(key) as [string, string];
        const list = [...users];
        return {
          experiment,
          variant,
          users: list.length,
          converted: list.filter((u) => converted.has(u)).length,
          amount: list.reduce((sum, u) => sum + amount.get(u)!, 0),
        };
      })
      .sort((a, b) => cmp(a.experiment, b.experiment) || cmp(a.variant, b.variant));
  }

  topPages(from: string, to: string) {
    return this.top(
      this.events.filter((e) => inRange(e, from, to) && e.obj === 'page'),
      (e) => e.url,
    ).map(({ key, events, users }) => ({ url: key, events, users }));
  }

  topProducts(from: string, to: string) {
    const events = this.events.filter((e) => inRange(e, from, to) && e.productId > 0);
    return this.top(events, (e) => e.productId).map(({ key, events: count, users, of }) => ({
      product_id: key,
      events: count,
      users,
      purchases: of.filter((e) => e.name === 'purchase').length,
      amount: of.reduce((sum, e) => sum + e.amount, 0),
    }));
  }

  private top<K extends string | number>(events: NewSiteEvent[], keyOf: (e: NewSiteEvent) => K) {
    const groups = new Map<K, NewSiteEvent[]>();
    for (const e of events) groups.set(keyOf(e), [...(groups.get(keyOf(e)) ?? []), e]);
    return [...groups]
      .map(([key, of]) => ({ key, of, events: of.length, users: new Set(of.map((e) => e.userId)).size }))
      .sort((a, b) => b.events - a.events || cmp(a.key, b.key));
  }
}

const cmp = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
