import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { api, startServer, type ServerProcess } from '../helpers/server.ts';

/**
 * The embedded pipeline end to end, over HTTP against the real `steplog serve`: users and tasks,
 * single and batch events, retries, bad input, a load, daily users — then ClickHouse itself is read.
 */
let server: ServerProcess;
const accepted = new Map<string, { user_id: number; step_id: number; action_id: number; time: string }>();

const users = [
  {
    id: 1,
    name: 'Анна Петрова',
    email: 'anna@example.com',
    registration_date: '2026-10-01T08:00:00Z',
    join_date: '2026-09-30T10:00:00Z',
  },
  { id: 2, name: 'guest 2', join_date: '2026-10-02T00:00:00Z' },
  {
    id: 3,
    name: '李雷',
    email: 'li@example.cn',
    registration_date: '2026-10-03T12:30:00Z',
    join_date: '2026-10-03T12:00:00Z',
  },
];

beforeAll(async () => {
  server = await startServer({ STEPLOG_BODY_LIMIT: String(256 * 1024), STEPLOG_MAX_EVENTS_PER_REQUEST: '500' });
  // The server assigns ids in order: users 1–3, tasks 1–11 (steps 10 and 11 are the ones used).
  for (const { id, ...user } of users) expect((await api(server.url, 'POST', '/api/users', user)).body.id).toBe(id);
  for (let id = 1; id <= 11; id++) {
    const task = await api(server.url, 'POST', '/api/tasks', { title: `Step ${id}`, text: 'Solve it' });
    expect(task.body.id).toBe(id);
  }
});
afterAll(async () => {
  await server?.stop();
});

const day = (d: number, h: number) => `2026-10-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:15:00Z`;

describe('steplog serve, end to end', () => {
  it('serves the API documents', async () => {
    expect((await fetch(`${server.url}/docs/`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/redoc`)).text()).toContain('/openapi.json');
    const doc = (await api(server.url, 'GET', '/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/events', '/api/events/batch', '/api/imports']),
    );
  });

  it('accepts single events and answers a repeated event_id as the first time', async () => {
    for (let i = 0; i < 12; i++) {
      const event = { user_id: 1 + (i % 3), step_id: 10 + (i % 2), action_id: i % 3, time: day(5 + (i % 3), i) };
      const res = await api(server.url, 'POST', '/api/events', event);
      expect(res.status).toBe(202);
      expect(res.body.duplicate).toBe(false);
      accepted.set(res.body.event_id, event);
    }
    const event_id = '5f0c6f8e-3b1a-4c2d-9e8f-0a1b2c3d4e5f';
    const event = { event_id, user_id: 2, step_id: 11, action_id: 1, time: day(6, 9) };
    const answers = await Promise.all(Array.from({ length: 8 }, () => api(server.url, 'POST', '/api/events', event)));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.status === 202 && a.body.event_id === event_id)).toBe(true);
    expect(answers.filter((a) => !a.body.duplicate)).toHaveLength(1);
    accepted.set(event_id, event);
  });

  it('accepts a batch item by item', async () => {
    const good = Array.from({ length: 40 }, (_, i) => ({
      user_id: 1 + (i % 3),
      step_id: 10 + (i % 2),
      action_id: (i * 7) % 3,
      time: day(5 + (i % 4), (i * 5) % 24),
    }));
    const events = [...good, { user_id: 99, step_id: 10, action_id: 0 }, { user_id: 1, step_id: 10, action_id: '2' }];
    const res = await api(server.url, 'POST', '/api/events/batch', { events });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ accepted: 40, rejected: 2 });
    expect(res.body.results[40]).toMatchObject({
      status: 'rejected',
      error: { error: 'unknown_reference', field: 'user_id' },
    });
    expect(res.body.results[41]).toMatchObject({
      status: 'rejected',
      error: { error: 'validation', field: 'action_id' },
    });
    good.forEach((event, i) => accepted.set(res.body.results[i].event_id, event));

    const replay = await api(server.url, 'POST', '/api/events/batch', {
      events: good.slice(0, 5).map((event, i) => ({ ...event, event_id: res.body.results[i].event_id })),
    });
    expect(replay.body.results.every((r: { duplicate: boolean }) => r.duplicate)).toBe(true);
  });

  it.each([
    ['unknown user', { user_id: 404, step_id: 10, action_id: 0 }, 422, 'user_id'],
    ['unknown task', { user_id: 1, step_id: 404, action_id: 0 }, 422, 'step_id'],
    ['action outside 0..2', { user_id: 1, step_id: 10, action_id: 3 }, 400, 'action_id'],
    ['malformed time', { user_id: 1, step_id: 10, action_id: 0, time: '2026-13-45' }, 400, 'time'],
    ['time before 1970', { user_id: 1, step_id: 10, action_id: 0, time: '1969-12-31T23:59:59Z' }, 400, 'time'],
    ['time far in the future', { user_id: 1, step_id: 10, action_id: 0, time: '2099-01-01T00:00:00Z' }, 400, 'time'],
    ['wrong type', { user_id: '1', step_id: 10, action_id: 0 }, 400, 'user_id'],
    ['negative id', { user_id: -1, step_id: 10, action_id: 0 }, 400, 'user_id'],
    ['missing field', { user_id: 1, action_id: 0 }, 400, 'step_id'],
    ['unknown field', { user_id: 1, step_id: 10, action_id: 0, extra: true }, 400, 'extra'],
    ['bad event_id', { event_id: 'not-a-uuid', user_id: 1, step_id: 10, action_id: 0 }, 400, 'event_id'],
  ])('rejects %s with a %i naming %s', async (_name, body, status, field) => {
    const res = await api(server.url, 'POST', '/api/events', body);
    expect(res.status).toBe(status);
    expect(res.body.field).toBe(field);
    expect(res.body.message).toContain(field);
  });

  it('rejects bodies that are not JSON objects of a sane size', async () => {
    const notJson = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${server.keys.ingest}` },
      body: '{"user_id": 1,',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as { error: string }).error).toBe('malformed_json');
    const text = await fetch(`${server.url}/api/events`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${server.keys.ingest}` },
      body: 'hi',
    });
    expect(text.status).toBe(415);
    const huge = await api(server.url, 'POST', '/api/events/batch', {
      events: [{ user_id: 1, step_id: 10, action_id: 0, pad: 'x'.repeat(300_000) }],
    });
    expect(huge.status).toBe(413);
    const tooMany = await api(server.url, 'POST', '/api/events/batch', {
      events: Array.from({ length: 501 }, () => ({ user_id: 1, step_id: 10, action_id: 0 })),
    });
    expect(tooMany).toMatchObject({ status: 400, body: { field: 'events' } });
  });

  it('loads exactly the accepted events on demand and counts unique users per day', async () => {
    const job = await api(server.url, 'POST', '/api/imports');
    expect(job.body).toMatchObject({ status: 'succeeded', rows: accepted.size, reconciled: 0 });
    const again = await api(server.url, 'POST', '/api/imports');
    expect(again.body).toMatchObject({ status: 'succeeded', rows: 0 });
    expect((await api(server.url, 'GET', '/api/imports')).body.backlog.events).toBe(0);

    const expected = new Map<string, Set<number>>();
    for (const event of accepted.values()) {
      const d = event.time.slice(0, 10);
      expected.set(d, (expected.get(d) ?? new Set()).add(event.user_id));
    }
    const res = await api(server.url, 'GET', '/api/stats/daily-users?from=2026-10-04&to=2026-10-09');
    expect(res.body.days).toEqual(
      ['2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07', '2026-10-08', '2026-10-09'].map((d) => ({
        day: d,
        users: expected.get(d)?.size ?? 0,
        events: [...accepted.values()].filter((e) => e.time.startsWith(d)).length,
      })),
    );
    const solves = await api(server.url, 'GET', '/api/stats/daily-users?from=2026-10-05&to=2026-10-05&action_id=2');
    const solvers = new Set(
      [...accepted.values()].filter((e) => e.time.startsWith('2026-10-05') && e.action_id === 2).map((e) => e.user_id),
    );
    expect(solves.body.days[0].users).toBe(solvers.size);
  });

  it('leaves ClickHouse holding each accepted event once, with its user attributes', async () => {
    await server.stop();
    const warehouse = ChdbWarehouse.open(path.join(server.dataDir, 'clickhouse'));
    try {
      const rows = await warehouse.query<Record<string, string | number | null>>(
        `SELECT toString(event_id) AS event_id, user_id, step_id, action_id, toString(time) AS time, name, email, is_guest,
                toString(join_date) AS join_date, toString(registration_date) AS registration_date FROM steplog.events`,
      );
      expect(rows).toHaveLength(accepted.size);
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(accepted.keys()));
      for (const row of rows) {
        const sent = accepted.get(row.event_id as string)!;
        const user = users.find((u) => u.id === sent.user_id)!;
        expect(row).toMatchObject({
          user_id: sent.user_id,
          step_id: sent.step_id,
          action_id: sent.action_id,
          time: sent.time.slice(0, 19).replace('T', ' '),
          name: user.name,
          email: user.email ?? '',
          is_guest: user.registration_date ? 0 : 1,
          join_date: user.join_date.slice(0, 19).replace('T', ' '),
          registration_date: user.registration_date ? user.registration_date.slice(0, 19).replace('T', ' ') : null,
        });
      }
    } finally {
      await warehouse.close();
    }
  });
});
