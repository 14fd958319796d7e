import { afterAll, describe, expect, it } from 'vitest';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { openApp } from '../helpers/app.ts';

/** A tasktracker-shaped client: its users and actions, its answers, and its events in ClickHouse once. */
const { runtime, app, key, close } = await openApp();
const admin = await key('admin');
const ingest = await key('ingest');
afterAll(close);

const call = async (method: 'GET' | 'POST', url: string, payload?: object, token = admin) => {
  const res = await app.inject({
    method,
    url,
    headers: { authorization: `Bearer ${token}` },
    ...(payload && { payload }),
  });
  return { status: res.statusCode, body: res.json() };
};

describe('tasktracker seed routes', () => {
  it("create users and actions with the seed's answers; the actions reach ClickHouse once", async () => {
    const created = await call('POST', '/api/users/', {
      user: { name: 'Ann', email: 'ann@example.com', registration_date: '2026-11-01T10:00:00Z' },
    });
    expect(created).toEqual({ status: 200, body: { success: "User '1' created successfully" } });
    const task = await call('POST', '/api/tasks', { title: 'step' });
    const action = { action_id: 2, target_id: task.body.id, user_id: 1, time: '2026-11-02 09:30:00' };
    const first = await call('POST', '/api/actions/', { action }, ingest);
    expect(first).toEqual({
      status: 200,
      body: { success: expect.stringMatching(/^Action '\d+' created successfully$/) },
    });
    expect((await call('GET', '/api/users/')).body.users).toEqual([
      {
        id: 1,
        name: 'Ann',
        email: 'ann@example.com',
        join_date: expect.any(String),
        registration_date: '2026-11-01T10:00:00.000Z',
      },
    ]);
    expect((await call('GET', '/api/actions/')).body.actions).toEqual([
      { id: 1, action_id: 2, target_id: task.body.id, user_id: 1, time: '2026-11-02T09:30:00.000Z' },
    ]);
    expect(await runtime.scheduler.run('manual')).toMatchObject({ status: 'succeeded', rows: 1 });
    const rows = await runtime.warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${WAREHOUSE_DB}.events`);
    expect(Number(rows[0]!.n)).toBe(1);
  });

  it('answers 400 naming the field in the seed’s names for invalid input', async () => {
    const missing = await call('POST', '/api/actions/', { action: { action_id: 0, user_id: 1 } }, ingest);
    expect(missing).toMatchObject({ status: 400, body: { field: 'action.target_id' } });
    const unknownUser = await call(
      'POST',
      '/api/actions/',
      { action: { action_id: 0, target_id: 1, user_id: 99 } },
      ingest,
    );
    expect(unknownUser).toMatchObject({ status: 400, body: { field: 'action.user_id' } });
    const extra = await call(
      'POST',
      '/api/actions/',
      { action: { action_id: 0, target_id: 1, user_id: 1, x: 1 } },
      ingest,
    );
    expect(extra).toMatchObject({ status: 400, body: { field: 'action.x' } });
    const user = await call('POST', '/api/users/', { user: { email: 'x@example.com' } });
    expect(user).toMatchObject({ status: 400, body: { field: 'user.name' } });
  });
});
