import { afterAll, describe, expect, it } from 'vitest';
import { api, createUserAndStep, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

const dataDir = tempDataDir();
let server: ServerProcess | undefined;
afterAll(() => server?.stop());

const dailyUsers = async (from: string, to: string) =>
  (await api(server!.url, 'GET', `/api/stats/daily-users?from=${from}&to=${to}`)).body.days as unknown[];

describe('steplog serve with STEPLOG_RETENTION', () => {
  it('drops the months past the retention when it starts', async () => {
    server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' }, dataDir);
    await createUserAndStep(server.url);
    const old = new Date(Date.now() - 200 * 86_400_000).toISOString();
    const events = [old, new Date().toISOString()].map((time) => ({ user_id: 1, step_id: 1, action_id: 0, time }));
    expect((await api(server.url, 'POST', '/api/events/batch', { events })).body).toMatchObject({ accepted: 2 });
    expect((await api(server.url, 'POST', '/api/imports')).body).toMatchObject({ status: 'succeeded', rows: 2 });
    const oldDay = old.slice(0, 10);
    expect(await dailyUsers(oldDay, oldDay)).toEqual([{ day: oldDay, users: 1, events: 1 }]);
    await server.stop();

    server = await startServer(
      { STEPLOG_FLUSH_INTERVAL: '1h', STEPLOG_RETENTION: '90d', STEPLOG_LOG_LEVEL: 'info' },
      dataDir,
    );
    for (const deadline = Date.now() + 30_000; !server.output().includes('retention applied');) {
      if (Date.now() > deadline) throw new Error(`no retention run:\n${server.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(server.output()).toMatch(/"droppedMonths":\["\d{6}"\],"storeEvents":1/);
    // Idle days answer zeros.
    expect(await dailyUsers(oldDay, oldDay)).toEqual([{ day: oldDay, users: 0, events: 0 }]);
    const today = new Date().toISOString().slice(0, 10);
    expect(await dailyUsers(today, today)).toEqual([{ day: today, users: 1, events: 1 }]);
  });
});
