import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../helpers/app.ts';

/** With STEPLOG_RETENTION, ingest refuses events of the months the retention drops: they would re-create a partial month. */
const RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
const { runtime, app, key, close } = await openApp({ STEPLOG_RETENTION: `${RETENTION_DAYS}d` });
const ingestKey = await key('ingest');
afterAll(close);
beforeAll(async () => {
  await runtime.store.catalog.createUser({
    id: 1,
    name: 'u1',
    email: 'u1@example.com',
    joinDate: 0,
    registrationDate: 0,
  });
  await runtime.store.catalog.createTask({ id: 1, title: 'step 1', text: '' });
});

/** README: the kept period starts on the first day of the month that holds now − retention (UTC). */
function firstKeptDay(now: number): number {
  const edge = new Date(now - RETENTION_DAYS * DAY_MS);
  return Date.UTC(edge.getUTCFullYear(), edge.getUTCMonth(), 1);
}

const post = (url: string, payload: object) =>
  app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${ingestKey}` }, payload });
const learning = (time: number) => ({ user_id: 1, step_id: 1, action_id: 0, time: new Date(time).toISOString() });
const site = (time: number) => ({
  dt: new Date(time).toISOString(),
  name: 'view',
  user_id: 7,
  url: 'https://shop.example/',
  obj: 'page',
});
const backlog = async () => (await runtime.transport.backlog()).events + (await runtime.siteTransport.backlog()).events;

describe('STEPLOG_RETENTION at ingest', () => {
  it('refuses an event before the first kept day with 422 expired, naming the time field, and writes nothing', async () => {
    const before = await backlog();
    const old = firstKeptDay(Date.now()) - 1;
    const refused = await post('/api/events', learning(old));
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ error: 'expired', field: 'time' });
    expect(refused.json().message).toMatch(/^time is before \d{4}-\d{2}-01, the first day STEPLOG_RETENTION keeps/);
    const refusedSite = await post('/api/site-events', site(old));
    expect(refusedSite.statusCode).toBe(422);
    expect(refusedSite.json()).toMatchObject({ error: 'expired', field: 'dt' });
    expect(await backlog()).toBe(before);
    const metrics = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${await key('metrics')}` },
    });
    expect(metrics.body).toMatch(/steplog_events_rejected_total\{family="learning",reason="expired"\} 1/);
  });

  it('accepts exactly the events from the first kept day on, in a batch of both', async () => {
    const now = Date.now();
    const edge = firstKeptDay(now);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: edge - 2 * RETENTION_DAYS * DAY_MS, max: now }), { minLength: 1, maxLength: 20 }),
        fc.constantFrom(0, 1, -1),
        async (times, nudge) => {
          // Always include the edge itself and its neighbours.
          const all = [...times, edge + nudge];
          const res = await post('/api/events/batch', { events: all.map(learning) });
          const results = res.json().results as { status: string; error?: { error: string } }[];
          expect(results.map((r) => (r.status === 'accepted' ? 'accepted' : r.error!.error))).toEqual(
            all.map((t) => (t >= edge ? 'accepted' : 'expired')),
          );
        },
      ),
      { numRuns: 30 },
    );
  });
});
