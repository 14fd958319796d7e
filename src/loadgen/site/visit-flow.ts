import { eventIdOf } from '../behaviour.ts';
import { pick } from '../random.ts';

/** One site event `steplog load --family site` sends (the de-demo seed's fields). */
export interface PlannedSiteEvent {
  readonly eventId: string;
  /** Epoch ms, UTC; unique per visitor, so (user_id, time) names the event on either route. */
  readonly time: number;
  readonly userId: number;
  readonly name: string;
  readonly url: string;
  readonly obj: string;
  readonly objId: string;
  readonly productId: number;
  readonly amount: number;
  /** The visitor's experiment assignment: the same on every event of the visitor. */
  readonly exp: Readonly<Record<string, string>>;
}

export interface SiteShape {
  readonly events: number;
  readonly start: number;
  readonly end: number;
  readonly runTag: string;
  /** The run's visitor ids, first and count (see visitorRange). */
  readonly firstVisitor: number;
  readonly visitors: number;
  readonly products: number;
}

export const SHOP = 'https://shop.example';
/** Shape of the Weibull gaps between a visitor's visits: below 1, a long tail of late returns. */
export const GAP_SHAPE = 0.6;
/** Mean events of a visit (measured on the flow below), to spread a visitor's visits over the period. */
const EVENTS_PER_VISIT = 6;
const MAX_STEPS = 40;

/**
 * Experiments and their variants (the control first by name, as the experiments mart picks it);
 * the `b` variants convert better, so the mart has a difference to find.
 */
export const EXPERIMENTS = {
  checkout: { share: 0.8, variants: ['a', 'b'], buys: { a: 0.3, b: 0.45 } },
  recs: { share: 0.6, variants: ['a-popular', 'b-personal'], clicks: { 'a-popular': 0.2, 'b-personal': 0.35 } },
} as const;

type Page = 'home' | 'catalog' | 'product' | 'cart';

interface Visitor {
  readonly id: number;
  readonly exp: Record<string, string>;
  /** Scale of the Weibull gap, ms. */
  readonly gapScale: number;
  next: number;
}

/**
 * De-demo-like traffic: visitors come back after Weibull-distributed gaps (some daily, a long
 * tail after weeks), each visit a walk between pages, buttons, recommendations and purchases;
 * a visitor's experiment variants are drawn once and carried by every event. Busy visitors are
 * picked more often and have shorter gaps; each visitor's timeline starts anywhere in the period.
 */
export function planSiteEvents(rnd: () => number, shape: SiteShape): PlannedSiteEvent[] {
  const period = shape.end - shape.start;
  const weights = Array.from({ length: shape.visitors }, () => -Math.log(1 - rnd()) + 0.05);
  const total = weights.reduce((a, b) => a + b, 0);
  const visits = shape.events / EVENTS_PER_VISIT;
  const visitors: Visitor[] = weights.map((w, i) => {
    const meanGap = period / Math.max(1, (visits * w) / total);
    const gapScale = meanGap / gamma(1 + 1 / GAP_SHAPE);
    return {
      id: shape.firstVisitor + i,
      exp: assignExperiments(rnd),
      gapScale,
      next: shape.start + rnd() * period,
    };
  });
  const cumulative: number[] = [];
  weights.reduce((sum, w) => (cumulative.push(sum + w), sum + w), 0);

  const events: PlannedSiteEvent[] = [];
  const used = new Map<number, Set<number>>();
  while (events.length < shape.events) {
    const visitor = visitors[lowerBound(cumulative, rnd() * total)]!;
    let time = visitor.next;
    walkVisit(rnd, shape, visitor.exp, (step) => {
      time += (2 + rnd() * 88) * 1000;
      const at = uniqueTime(used, visitor.id, Math.floor(time));
      if (events.length >= shape.events || at > shape.end) return false;
      events.push({
        eventId: eventIdOf(shape.runTag, events.length),
        time: at,
        userId: visitor.id,
        exp: visitor.exp,
        ...step,
      });
      return true;
    });
    visitor.next = time + weibull(rnd, visitor.gapScale);
    // The period is a circle: past the end a visitor's timeline goes on from the start, so however
    // often a visitor is picked, its visits stay spread evenly over the period (no early crowding).
    if (visitor.next > shape.end) visitor.next = shape.start + ((visitor.next - shape.start) % period);
  }
  return events;
}

type Step = Pick<PlannedSiteEvent, 'name' | 'url' | 'obj' | 'objId' | 'productId' | 'amount'>;

/** One visit: lands on a page and walks on until it leaves; `emit` answers false to stop. */
function walkVisit(
  rnd: () => number,
  shape: SiteShape,
  exp: Readonly<Record<string, string>>,
  emit: (step: Step) => boolean,
): void {
  const product = () => 1 + Math.floor(rnd() ** 2 * shape.products); // a few products sell most
  let productId = product();
  let page: Page = pick(rnd, ['home', 'home', 'catalog', 'product', 'product'] as const);
  const url = () => `${SHOP}${pathOf(page, productId)}`;
  const view = () => emit({ name: 'view', url: url(), obj: 'page', objId: '', productId: pageProduct(), amount: 0 });
  const pageProduct = () => (page === 'product' ? productId : 0);
  const click = (obj: string, objId: string, productId = 0) =>
    emit({ name: 'click', url: url(), obj, objId, productId, amount: 0 });

  if (!view()) return;
  for (let steps = 0; steps < MAX_STEPS; steps++) {
    const r = rnd();
    if (page === 'home') {
      if (r < 0.2) return;
      page = r < 0.65 ? 'catalog' : 'product';
      if (page === 'product') productId = product();
    } else if (page === 'catalog') {
      if (r < 0.25) return;
      if (r < 0.45 && !click('button', 'filter')) return;
      page = 'product';
      productId = product();
    } else if (page === 'product') {
      if (r < 0.3) {
        const recommended = product();
        if (
          !emit({
            name: 'view',
            url: url(),
            obj: 'recommendation',
            objId: `rec-${recommended}`,
            productId: recommended,
            amount: 0,
          })
        )
          return;
        const clicks: number =
          exp.recs === 'b-personal' ? EXPERIMENTS.recs.clicks['b-personal'] : EXPERIMENTS.recs.clicks['a-popular'];
        if (rnd() >= clicks) continue;
        if (!click('recommendation', `rec-${recommended}`, recommended)) return;
        productId = recommended;
      } else if (r < 0.5) {
        if (!click('button', 'add-to-cart', productId)) return;
        page = 'cart';
      } else if (r < 0.58) {
        click('url', 'reviews', productId);
        return;
      } else if (r < 0.75) {
        page = 'catalog';
      } else return;
    } else {
      const buys: number = exp.checkout === 'b' ? EXPERIMENTS.checkout.buys.b : EXPERIMENTS.checkout.buys.a;
      if (rnd() >= buys) return;
      const amount = priceOf(productId);
      emit({ name: 'purchase', url: url(), obj: 'button', objId: 'pay', productId, amount });
      return;
    }
    if (!view()) return;
  }
}

const pathOf = (page: Page, productId: number): string =>
  page === 'home' ? '/' : page === 'catalog' ? '/catalog' : page === 'cart' ? '/cart' : `/product/${productId}`;

/** A product's price: fixed per product, in cents. */
export const priceOf = (productId: number): number => (((productId * 7919) % 20_000) + 199) / 100;

function assignExperiments(rnd: () => number): Record<string, string> {
  const exp: Record<string, string> = {};
  for (const [name, experiment] of Object.entries(EXPERIMENTS)) {
    if (rnd() < experiment.share) exp[name] = pick(rnd, experiment.variants);
  }
  return exp;
}

function uniqueTime(used: Map<number, Set<number>>, userId: number, time: number): number {
  const times = used.get(userId) ?? new Set<number>();
  used.set(userId, times);
  while (times.has(time)) time += 1;
  times.add(time);
  return time;
}

const weibull = (rnd: () => number, scale: number): number => scale * (-Math.log(1 - rnd())) ** (1 / GAP_SHAPE);

/** The index of the first value ≥ x in an ascending array (the last index when none is). */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Γ(x) for x > 0 (Lanczos approximation). */
function gamma(x: number): number {
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x));
  x -= 1;
  let a = c[0]!;
  const t = x + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i]! / (x + i);
  return Math.sqrt(2 * Math.PI) * t ** (x + 0.5) * Math.exp(-t) * a;
}
