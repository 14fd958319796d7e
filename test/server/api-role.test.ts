import { afterAll, describe, expect, it } from 'vitest';
import { openApp } from '../helpers/app.ts';

// A `--role api` process serves the API and commits events; the loader processes load them.
const api = await openApp({}, {}, 'api');
afterAll(() => api.close());

const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
  api.app.inject({ method, url, headers: { authorization: api.authorization }, payload });

describe('an api process', () => {
  it('refuses a manual load (409 not_a_loader), runs none, and leaves the backlog to the loaders', async () => {
    const user = (await call('POST', '/api/users', { name: 'Ada' })).json<{ id: number }>();
    const task = (await call('POST', '/api/tasks', { title: 'Step' })).json<{ id: number }>();
    expect((await call('POST', '/api/events', { user_id: user.id, step_id: task.id, action_id: 0 })).statusCode).toBe(
      202,
    );

    const asked = await call('POST', '/api/imports');
    expect(asked.statusCode, asked.body).toBe(409);
    expect(asked.json()).toMatchObject({ error: 'not_a_loader', message: expect.stringContaining('--role loader') });
    const imports = (await call('GET', '/api/imports')).json<{ jobs: unknown[]; backlog: { events: number } }>();
    expect(imports.jobs).toEqual([]);
    expect(imports.backlog.events).toBe(1);
  });
});
