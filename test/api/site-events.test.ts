import { afterAll, describe, expect, it } from 'vitest';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { openApp } from '../helpers/app.ts';

/** The site routes' answers: the seed's exact shapes on /events/, steplog's on /api/site-events. */
const { runtime, app, key, authorization, close } = await openApp();
const ingestKey = await key('ingest');
const readKey = await key('read');
afterAll(close);

const seedEvent = {
  dt: '2026-11-30T12:00:00',
  name: 'view',
  user_id: 42,
  url: 'https://shop.example/p/1',
  obj: 'page',
};
const post = (url: string, payload: unknown, key = ingestKey, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${key}`, ...headers },
    ...(typeof payload === 'string'
      ? { body: payload, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } }
      : { payload: payload as object }),
  });

describe('POST /events/ (the de-demo seed route)', () => {
  it('answers 200 with body null, ignores unknown fields and fills the seed defaults', async () => {
    const res = await post('/events/', { ...seedEvent, session: 'abc', exp: { checkout: 'b' } });
    expect([res.statusCode, res.body, res.headers['content-type']]).toEqual([
      200,
      'null',
      'application/json; charset=utf-8',
    ]);
    await runtime.scheduler.run('manual');
    const [row] = await runtime.warehouse.query<Record<string, unknown>>(
      `SELECT toString(time) AS time, name, user_id, url, obj, obj_id, product_id, amount, exp_keys, exp_values
       FROM ${WAREHOUSE_DB}.site_events`,
    );
    expect(row).toEqual({
      time: '2026-11-30 12:00:00',
      name: 'view',
      user_id: 42,
      url: 'https://shop.example/p/1',
      obj: 'page',
      obj_id: '',
      product_id: 0,
      amount: 0,
      exp_keys: ['checkout'],
      exp_values: ['b'],
    });
  });

  it("answers 422 with FastAPI's detail list, every field at fault, and writes nothing", async () => {
    const before = (await runtime.siteTransport.backlog()).events;
    const res = await post('/events/', { dt: 'yesterday', user_id: -1, url: 'ftp://x', obj: 'page', amount: 'a lot' });
    expect(res.statusCode).toBe(422);
    expect(res.json()).toEqual({
      detail: expect.arrayContaining([
        { loc: ['body', 'name'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'dt'], msg: 'Input should be a valid datetime', type: 'datetime_from_date_parsing' },
        { loc: ['body', 'user_id'], msg: 'Input should be greater than or equal to 0', type: 'greater_than_equal' },
        { loc: ['body', 'url'], msg: 'Input should be a valid URL', type: 'url_parsing' },
        { loc: ['body', 'amount'], msg: 'Input should be a valid number', type: 'float_type' },
      ]),
    });
    expect(res.json().detail).toHaveLength(5);
    expect((await runtime.siteTransport.backlog()).events).toBe(before);
  });

  it('answers 422 json_invalid for a body that is not JSON, and a body that is not an object', async () => {
    const broken = await post('/events/', '{"dt": ');
    expect([broken.statusCode, broken.json()]).toEqual([
      422,
      { detail: [{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }] },
    ]);
    const list = await post('/events/', [seedEvent]);
    expect(list.statusCode).toBe(422);
    expect(list.json().detail[0]).toMatchObject({ loc: ['body'], type: 'model_attributes_type' });
  });

  it('needs an ingest key in the Authorization header', async () => {
    expect((await post('/events/', seedEvent, 'nope')).statusCode).toBe(401);
    expect((await post('/events/', seedEvent, readKey)).statusCode).toBe(403);
  });
});

describe('POST /api/site-events (steplog style)', () => {
  it('202 once durable; a repeated event_id adds nothing; an unknown field is a 400 naming it', async () => {
    const body = { ...seedEvent, event_id: '0190B5A6-0000-7000-8000-000000000001', amount: 12.5, product_id: 7 };
    const first = await post('/api/site-events', body);
    const again = await post('/api/site-events', body);
    expect(first.statusCode).toBe(202);
    expect(first.json()).toMatchObject({ event_id: '0190b5a6-0000-7000-8000-000000000001', duplicate: false });
    expect(again.json()).toMatchObject({ id: first.json().id, duplicate: true });
    const unknown = await post('/api/site-events', { ...seedEvent, session: 'x' });
    expect([unknown.statusCode, unknown.json().field]).toEqual([400, 'session']);
    const future = await post('/api/site-events', { ...seedEvent, dt: '2999-01-01T00:00:00Z' });
    expect([future.statusCode, future.json().field]).toEqual([400, 'dt']);
  });

  it('a batch answers per index', async () => {
    const res = await post('/api/site-events/batch', { events: [seedEvent, { ...seedEvent, url: 'not a url' }] });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({
      accepted: 1,
      rejected: 1,
      results: [
        { index: 0, status: 'accepted' },
        { index: 1, status: 'rejected', error: { field: 'url' } },
      ],
    });
  });
});

describe('metrics of site events', () => {
  const counter = async (series: string) => {
    const text = (await app.inject({ method: 'GET', url: '/metrics', headers: { authorization } })).body;
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return Number(line?.split(' ')[1] ?? 0);
  };
  const accepted = 'steplog_events_accepted_total{family="site"}';
  const refused = (reason: string) => `steplog_events_rejected_total{family="site",reason="${reason}"}`;

  it('counts them under family="site", by the handler and before it, and nothing under learning', async () => {
    const before = await Promise.all([
      counter(accepted),
      counter(refused('validation')),
      counter(refused('malformed_json')),
      counter('steplog_events_accepted_total{family="learning"}'),
    ]);
    await post('/api/site-events/batch', { events: [seedEvent, seedEvent, { ...seedEvent, name: '' }] });
    await post('/api/site-events', '{"dt":');
    const after = await Promise.all([
      counter(accepted),
      counter(refused('validation')),
      counter(refused('malformed_json')),
      counter('steplog_events_accepted_total{family="learning"}'),
    ]);
    expect(after.map((n, i) => n - before[i]!)).toEqual([2, 1, 1, 0]);
  });
});
