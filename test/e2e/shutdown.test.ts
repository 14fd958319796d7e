import { afterAll, describe, expect, it } from 'vitest';
import { api, freePort, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

/**
 * SIGTERM is bounded: the server stops accepting, ends the running load after its batch, closes
 * the stores and exits 0 well inside STEPLOG_SHUTDOWN_TIMEOUT; what was not loaded waits for the
 * next start and is delivered once. A second signal exits at once.
 */
let server: ServerProcess | undefined;
afterAll(() => server?.stop('SIGKILL'));

const exitOf = (s: ServerProcess) =>
  new Promise<{ code: number | null; ms: number }>((resolve) => {
    const started = Date.now();
    s.child.once('exit', (code) => resolve({ code, ms: Date.now() - started }));
  });

describe('graceful shutdown', () => {
  it('a SIGTERM during a long load ends it after the current batch; the rest loads once after a restart', async () => {
    const dataDir = tempDataDir();
    const env = { STEPLOG_PORT: String(await freePort()), STEPLOG_FLUSH_INTERVAL: '1h', STEPLOG_BATCH_SIZE: '2000' };
    server = await startServer({ ...env, STEPLOG_SHUTDOWN_TIMEOUT: '20s' }, dataDir);
    expect((await api(server.url, 'POST', '/api/users', { name: 'u' })).body.id).toBe(1);
    expect((await api(server.url, 'POST', '/api/tasks', { title: 't' })).body.id).toBe(1);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const events = Array.from({ length: 5_000 }, (_, j) => ({ user_id: 1, step_id: 1, action_id: (i + j) % 3 }));
      const res = await api(server.url, 'POST', '/api/events/batch', { events });
      ids.push(...(res.body.results as { event_id: string }[]).map((r) => r.event_id));
    }
    const load = api(server.url, 'POST', '/api/imports').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = exitOf(server);
    server.child.kill('SIGTERM');
    const { code, ms } = await exited;
    await load;
    expect(code, server.output()).toBe(0);
    expect(ms).toBeLessThan(15_000);
    expect(server.output()).not.toMatch(/shutdown took too long/);

    server = await startServer(env, dataDir);
    const { body: before } = await api(server.url, 'GET', '/api/imports');
    expect(before.backlog.events).toBeGreaterThan(0);
    expect(before.backlog.events).toBeLessThan(50_000);
    expect((await api(server.url, 'POST', '/api/imports')).body).toMatchObject({ status: 'succeeded' });
    for (let i = 0; i < ids.length; i += 10_000) {
      const { body } = await api(server.url, 'POST', '/api/verify/events', { event_ids: ids.slice(i, i + 10_000) });
      expect((body.events as { rows: number; copies: number }[]).filter((e) => e.rows !== 1 || e.copies !== 1)).toEqual(
        [],
      );
      expect(body.events).toHaveLength(Math.min(10_000, ids.length - i));
    }

    // Idle, it shuts down at once (the second signal and the bound: test/runtime/graceful-shutdown.test.ts).
    const idle = exitOf(server);
    server.child.kill('SIGTERM');
    expect(await idle).toMatchObject({ code: 0 });
    server = undefined;
  }, 180_000);
});
