import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, runCli, startServer, type ServerProcess } from '../helpers/server.ts';

let server: ServerProcess;
const env = () => ({ STEPLOG_API_KEY: server.keys.admin, STEPLOG_DATA_DIR: server.dataDir });

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h', STEPLOG_LOG_LEVEL: 'info' });
  for (const name of ['Erin Erasable', 'Kept Keeper']) {
    expect(
      (await api(server.url, 'POST', '/api/users', { name, email: `${name.split(' ')[0]}@example.com` })).status,
    ).toBe(201);
  }
  expect((await api(server.url, 'POST', '/api/tasks', { title: 'Step 1' })).status).toBe(201);
  const events = [1, 1, 2].map((user_id) => ({ user_id, step_id: 1, action_id: 0, time: '2026-11-20T10:00:00Z' }));
  expect((await api(server.url, 'POST', '/api/events/batch', { events })).body).toMatchObject({ accepted: 3 });
  expect((await api(server.url, 'POST', '/api/imports')).body).toMatchObject({ status: 'succeeded', rows: 3 });
});
afterAll(() => server?.stop());

const dailyUsers = async () =>
  (await api(server.url, 'GET', '/api/stats/daily-users?from=2026-11-20&to=2026-11-20')).body.days;

describe('steplog users erase <id> (through the running server)', () => {
  it('erases the user and their events; the other user’s figures stay', async () => {
    expect(await dailyUsers()).toEqual([{ day: '2026-11-20', users: 2, events: 3 }]);
    const erased = await runCli(['users', 'erase', '1', '--url', server.url], env());
    expect(erased, erased.stderr).toMatchObject({ code: 0 });
    expect(erased.stdout).toContain(
      'erased user 1: 2 warehouse events deleted; aggregates rebuilt for 2026-11-20 … 2026-11-20',
    );
    expect((await api(server.url, 'GET', '/api/users/1')).status).toBe(404);
    expect((await api(server.url, 'GET', '/api/users/2')).body).toMatchObject({ name: 'Kept Keeper' });
    expect(await dailyUsers()).toEqual([{ day: '2026-11-20', users: 1, events: 1 }]);
    expect(server.output()).toContain('"audit":"user_erased"');
  });

  it('answers 404 for an unknown or already erased user, and 422 to their new events', async () => {
    const again = await runCli(['users', 'erase', '1', '--url', server.url], env());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('404');
    const late = await api(
      server.url,
      'POST',
      '/api/events',
      { user_id: 1, step_id: 1, action_id: 0 },
      server.keys.ingest,
    );
    expect(late).toMatchObject({ status: 422, body: { field: 'user_id' } });
  });
});
