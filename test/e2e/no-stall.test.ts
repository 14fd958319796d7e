import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startServer, type ServerProcess } from '../helpers/server.ts';

/**
 * Issue 9's reproductions against the real process: nothing a client can send may stop loading.
 * Each test sends its odd input, then a valid event, runs a load and requires both to be settled:
 * the odd input refused at the door or loaded, the valid event loaded, the backlog empty.
 */
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' });
  expect((await api(server.url, 'POST', '/api/users', { name: 'Ann', join_date: '1970-01-01T00:00:00Z' })).status).toBe(
    201,
  );
  expect((await api(server.url, 'POST', '/api/tasks', { title: 'Step 1' })).status).toBe(201);
});
afterAll(async () => {
  await server?.stop();
});

const copies = async (eventIds: string[]) =>
  (await api(server.url, 'POST', '/api/verify/events', { event_ids: eventIds })).body.events as {
    event_id: string;
    rows: number;
    copies: number;
  }[];

/** Runs a load and answers its job; the backlog must be empty after it. */
async function load() {
  const { status, body } = await api(server.url, 'POST', '/api/imports');
  expect(status).toBe(200);
  const { body: imports } = await api(server.url, 'GET', '/api/imports');
  expect(imports.backlog.events).toBe(0);
  return body;
}

async function validEvent(): Promise<string> {
  const res = await api(server.url, 'POST', '/api/events', { user_id: 1, step_id: 1, action_id: 0 });
  expect(res.status).toBe(202);
  return res.body.event_id as string;
}

describe('no accepted input stalls the pipeline', () => {
  it.each(['urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'URN:UUID:A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A13'])(
    'an event_id in the %s form is refused at the door, naming event_id',
    async (eventId) => {
      const res = await api(server.url, 'POST', '/api/events', {
        event_id: eventId,
        user_id: 1,
        step_id: 1,
        action_id: 0,
      });
      const valid = await validEvent();
      expect(await load()).toMatchObject({ status: 'succeeded' });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('event_id');
      expect(await copies([valid])).toEqual([{ event_id: valid, rows: 1, copies: 1 }]);
    },
  );

  it('a batch of 101 events, one per month from 1970-01, loads (more partitions than one insert may touch)', async () => {
    const events = Array.from({ length: 101 }, (_, month) => ({
      user_id: 1,
      step_id: 1,
      action_id: month % 3,
      time: new Date(Date.UTC(1970, month, 15)).toISOString(),
    }));
    const res = await api(server.url, 'POST', '/api/events/batch', { events });
    expect(res.status).toBe(202);
    expect(res.body.accepted).toBe(101);
    const valid = await validEvent();
    expect(await load()).toMatchObject({ status: 'succeeded' });
    const ids = [...(res.body.results as { event_id: string }[]).map((r) => r.event_id), valid];
    const loaded = await copies(ids);
    expect(loaded).toHaveLength(102);
    expect(loaded.filter((e) => e.rows !== 1 || e.copies !== 1)).toEqual([]);
  });

  it.each(['/api/users', '/api/tasks'])('%s: a client cannot choose the id (id squatting)', async (route) => {
    const body = route === '/api/users' ? { id: 4_294_967_295, name: 'x' } : { id: 4_294_967_295, title: 'x' };
    const res = await api(server.url, 'POST', route, body);
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('id');
    const next = await api(server.url, 'POST', route, { ...body, id: undefined });
    expect(next.status).toBe(201);
    expect(next.body.id).toBeLessThan(1000);
  });

  it.each([
    ['join_date', '2016-12-31T23:59:60Z'],
    ['join_date', '0001-01-01T00:00:00Z'],
    ['join_date', '1969-12-31T23:59:59Z'],
    ['registration_date', '9999-12-31T00:00:00Z'],
    ['registration_date', '2106-02-07T06:28:16Z'],
  ])('a user %s of %s that ClickHouse cannot hold is a 400 naming it', async (field, value) => {
    const res = await api(server.url, 'POST', '/api/users', { name: 'y', [field]: value });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe(field);
  });

  it('an event time with a leap second is a 400 naming time', async () => {
    const res = await api(server.url, 'POST', '/api/events', {
      user_id: 1,
      step_id: 1,
      action_id: 0,
      time: '2016-12-31T23:59:60Z',
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('time');
  });
});
