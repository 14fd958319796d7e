import { DAY_MS } from '../../analytics/days.ts';
import type { LoadFamily, PackedEvent } from '../family.ts';
import type { HttpClient } from '../http-client.ts';
import type { ErrorAnswer } from '../learning-family.ts';
import { random } from '../random.ts';
import { verifySiteDelivery, type VisitorSpan } from './site-verify.ts';
import { planSiteEvents, type PlannedSiteEvent } from './visit-flow.ts';

/** `api`: steplog's /api/site-events[/batch] with event_ids; `compat`: the de-demo seed's POST /events/. */
export type SiteRoute = 'api' | 'compat';
export const SITE_ROUTES: readonly SiteRoute[] = ['api', 'compat'];

export interface SiteLoadShape {
  readonly events: number;
  readonly visitors: number;
  readonly products: number;
  /** Events per request on the api route (1: POST /api/site-events); the seed's route takes one. */
  readonly batch: number;
  readonly route: SiteRoute;
  readonly seed: number;
}

/** Visitor ids per run: a run's visitors are ids tag × 2^21 + 1 … + 2^21 - 1, below 2^53 for any 8-hex-digit tag. */
export const VISITORS_PER_RUN = 2 ** 21 - 1;

/** The run's own visitor ids, so the warehouse finds its events whether or not the route took event_ids. */
export const visitorSpan = (runTag: string, visitors: number): VisitorSpan => ({
  first: Number.parseInt(runTag, 16) * 2 ** 21 + 1,
  count: visitors,
});

/** Site events (the de-demo seed's): anonymous visitors, nothing to create first. */
export function siteFamily(shape: SiteLoadShape): LoadFamily<PlannedSiteEvent, VisitorSpan> {
  if (shape.visitors < 1 || shape.visitors > VISITORS_PER_RUN) {
    throw new Error(`a site run has 1 to ${VISITORS_PER_RUN} visitors`);
  }
  const batch = shape.route === 'compat' ? 1 : shape.batch;
  return {
    name: 'site',
    batch,
    plan(_client, run) {
      if (run.end - run.start < DAY_MS) throw new Error('a site run needs a period of at least one day');
      const span = visitorSpan(run.runTag, shape.visitors);
      const events = planSiteEvents(random(shape.seed + 1), {
        ...run,
        events: shape.events,
        firstVisitor: span.first,
        visitors: span.count,
        products: shape.products,
      });
      return Promise.resolve({ events, context: span });
    },
    send: (client, part) =>
      shape.route === 'compat'
        ? sendCompat(client, part[0]!).then((a) => [a])
        : batch === 1
          ? sendOne(client, part[0]!).then((a) => [a])
          : sendBatch(client, part),
    pack: (e) => [e.eventId, e.time, e.userId, e.name, e.url, e.obj, e.objId, e.productId, e.amount, e.exp],
    unpack: (row: PackedEvent) => {
      const [eventId, time, userId, name, url, obj, objId, productId, amount, exp] = row as [
        string,
        number,
        number,
        string,
        string,
        string,
        string,
        number,
        number,
        Record<string, string>,
      ];
      return { eventId, time, userId, name, url, obj, objId, productId, amount, exp };
    },
    verify: (client, _runTag, accepted, span) => verifySiteDelivery(client, accepted, span),
  };
}

interface BatchAnswer {
  results: ({ status: 'accepted' } | { status: 'rejected'; error: { error: string; message: string } })[];
}

async function sendOne(client: HttpClient, event: PlannedSiteEvent): Promise<string | null> {
  const answer = await client.request<ErrorAnswer>('POST', '/api/site-events', apiBody(event));
  return answer.status === 202 ? null : `${answer.status} ${answer.body.error}: ${answer.body.message}`;
}

async function sendBatch(client: HttpClient, events: readonly PlannedSiteEvent[]): Promise<(string | null)[]> {
  const answer = await client.request<BatchAnswer & ErrorAnswer>('POST', '/api/site-events/batch', {
    events: events.map(apiBody),
  });
  if (answer.status !== 202) return events.map(() => `${answer.status} ${answer.body.error}: ${answer.body.message}`);
  return answer.body.results.map((r) => (r.status === 'accepted' ? null : `${r.error.error}: ${r.error.message}`));
}

/**
 * The seed's route: 200 null, or 422 {detail}. It takes no event_id, so a request repeated after a
 * timeout may store the event twice — the verifier reports it as duplicated.
 */
async function sendCompat(client: HttpClient, event: PlannedSiteEvent): Promise<string | null> {
  const answer = await client.request<{ detail?: unknown } & Partial<ErrorAnswer>>('POST', '/events/', seedBody(event));
  return answer.status === 200 ? null : `${answer.status} ${JSON.stringify(answer.body)}`;
}

const seedBody = (e: PlannedSiteEvent) => ({
  dt: new Date(e.time).toISOString(),
  name: e.name,
  user_id: e.userId,
  url: e.url,
  obj: e.obj,
  obj_id: e.objId,
  product_id: e.productId,
  amount: e.amount,
  exp: Object.keys(e.exp).length === 0 ? null : e.exp,
});

const apiBody = (e: PlannedSiteEvent) => ({ event_id: e.eventId, ...seedBody(e) });
