import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../helpers/app.ts';

/** The site marts over REST: events sent through /events/, loaded, read back with a read key. */
const { runtime, app, key, close } = await openApp();
const ingest = await key('ingest');
const read = await key('read');
afterAll(close);
beforeAll(async () => {
  // Visitor 1: two sessions on Nov 2 (a 31-minute gap), a purchase in variant b; visitor 2: one view on Nov 3, variant a.
  const sent = [
    {
      dt: '2026-11-02T10:00:00Z',
      name: 'view',
      user_id: 1,
      url: 'https://s.example/',
      obj: 'page',
      exp: { checkout: 'b' },
    },
    {
      dt: '2026-11-02T10:10:00Z',
      name: 'click',
      user_id: 1,
      url: 'https://s.example/p/7',
      obj: 'button',
      product_id: 7,
    },
    {
      dt: '2026-11-02T10:41:00Z',
      name: 'purchase',
      user_id: 1,
      url: 'https://s.example/p/7',
      obj: 'button',
      product_id: 7,
      amount: 19.5,
      exp: { checkout: 'b' },
    },
    {
      dt: '2026-11-03T08:00:00',
      name: 'view',
      user_id: 2,
      url: 'https://s.example/',
      obj: 'page',
      exp: { checkout: 'a' },
    },
  ];
  for (const body of sent) {
    const res = await app.inject({
      method: 'POST',
      url: '/events/',
      payload: body,
      headers: { authorization: `Bearer ${ingest}` },
    });
    expect(res.statusCode).toBe(200);
  }
  expect(await runtime.scheduler.run('manual')).toMatchObject({ status: 'succeeded', rows: 4 });
});

const get = async (url: string, key = read) => {
  const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  return { status: res.statusCode, body: res.json() };
};

describe('/api/marts/site', () => {
  it('users activity series', async () => {
    expect(await get('/api/marts/site/users-activity/series?days=7&from=2026-11-02&to=2026-11-03')).toEqual({
      status: 200,
      body: {
        series: [
          { date: '2026-11-02', users: 1 },
          { date: '2026-11-03', users: 2 },
        ],
      },
    });
  });

  it('events per day, sessions, experiments, top pages and products', async () => {
    const range = 'from=2026-11-02&to=2026-11-03';
    expect((await get(`/api/marts/site/events-per-day?${range}`)).body.rows).toHaveLength(4);
    const sessions = (await get(`/api/marts/site/sessions?${range}`)).body;
    expect(sessions.days).toEqual([
      { date: '2026-11-02', sessions: 2, users: 1, avg_duration_s: 300, avg_events: 1.5 },
      { date: '2026-11-03', sessions: 1, users: 1, avg_duration_s: 0, avg_events: 1 },
    ]);
    const experiments = (await get(`/api/marts/site/experiments?${range}&conversion=purchase`)).body.experiments;
    expect(experiments).toEqual([
      {
        experiment: 'checkout',
        control: 'a',
        variants: [
          { variant: 'a', users: 1, converted: 0, conversion: 0, amount_per_user: 0, vs_control: null },
          {
            variant: 'b',
            users: 1,
            converted: 1,
            conversion: 1,
            amount_per_user: 19.5,
            vs_control: { difference: 1, low: 1, high: 1 },
          },
        ],
      },
    ]);
    expect((await get(`/api/marts/site/top-pages?${range}`)).body.pages).toEqual([
      { url: 'https://s.example/', events: 2, users: 2 },
    ]);
    expect((await get(`/api/marts/site/top-products?${range}&limit=5`)).body.products).toEqual([
      { product_id: 7, events: 2, users: 1, purchases: 1, amount: 19.5 },
    ]);
  });

  it('refuses a bad range naming the field, and needs a read key', async () => {
    expect(await get('/api/marts/site/sessions?from=2026-11-03&to=2026-11-02')).toMatchObject({
      status: 400,
      body: { field: 'to' },
    });
    expect((await get('/api/marts/site/top-pages?from=2026-11-02&to=2026-11-03&limit=0')).body.field).toBe(
      'querystring.limit',
    );
    expect((await get('/api/marts/site/sessions?from=2026-11-02&to=2026-11-03', ingest)).status).toBe(403);
  });
});
