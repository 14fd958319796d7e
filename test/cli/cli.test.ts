import { describe, expect, it } from 'vitest';
import { api, freePort, runCli, startServer, tempDataDir } from '../helpers/server.ts';

describe('steplog CLI', () => {
  it('migrates and queries the warehouse itself, then through the server that owns it', async () => {
    const dataDir = tempDataDir();
    const env = { STEPLOG_DATA_DIR: dataDir };

    const pending = await runCli(['migrate', 'status'], env);
    expect(pending.code).toBe(0);
    expect(pending.stdout).toMatch(/1\s*│\s*events\s*│\s*pending/);
    const up = await runCli(['migrate', 'up'], env);
    expect(up.stdout).toContain('applied 1 events');
    expect((await runCli(['migrate', 'up'], env)).stdout).toContain('up to date');

    const server = await startServer({}, dataDir);
    try {
      await api(server.url, 'POST', '/api/users', { name: 'a' });
      await api(server.url, 'POST', '/api/tasks', { title: 't' });
      for (const user_id of [1, 1]) {
        await api(server.url, 'POST', '/api/events', {
          user_id,
          step_id: 1,
          action_id: 0,
          time: '2026-10-10T10:00:00Z',
        });
      }
      await api(server.url, 'POST', '/api/imports');

      const viaServer = await runCli(['query', 'daily-users', '--from', '2026-10-09', '--to', '2026-10-10'], {
        ...env,
        STEPLOG_URL: server.url,
        STEPLOG_API_KEY: server.keys.admin,
      });
      expect(viaServer.stderr).toBe('');
      expect(viaServer.stdout).toMatch(/2026-10-09\s*│\s*0\s*│\s*0/);
      expect(viaServer.stdout).toMatch(/2026-10-10\s*│\s*1\s*│\s*2/);
      // An explicit STEPLOG_URL goes through that server, whatever the local data dir holds.
      const elsewhere = await runCli(['query', 'daily-users', '--from', '2026-10-09', '--to', '2026-10-10'], {
        STEPLOG_DATA_DIR: tempDataDir(),
        STEPLOG_URL: server.url,
        STEPLOG_API_KEY: server.keys.admin,
      });
      expect(elsewhere.stderr).toBe('');
      expect(elsewhere.stdout).toBe(viaServer.stdout);
      // No URL given: the server owns the warehouse, so the command finds it on this machine's port.
      const owned = await runCli(['query', 'daily-users', '--from', '2026-10-09', '--to', '2026-10-10'], {
        ...env,
        STEPLOG_PORT: new URL(server.url).port,
        STEPLOG_API_KEY: server.keys.admin,
      });
      expect(owned.stderr).toBe('');
      expect(owned.stdout).toBe(viaServer.stdout);
      expect(
        (await runCli(['migrate', 'status'], { ...env, STEPLOG_URL: server.url, STEPLOG_API_KEY: server.keys.admin }))
          .stdout,
      ).toMatch(/1\s*│\s*events\s*│\s*\d{4}-/);
    } finally {
      await server.stop();
    }

    const direct = await runCli(
      ['query', 'daily-users', '--from', '2026-10-10', '--to', '2026-10-10', '--action', '0'],
      env,
    );
    expect(direct.stdout).toMatch(/2026-10-10\s*│\s*1\s*│\s*2/);
  }, 180_000);

  it('says what is wrong and what to do when there is no warehouse or no server', async () => {
    const empty = { STEPLOG_DATA_DIR: tempDataDir() };
    const unmigrated = await runCli(['query', 'daily-users'], empty);
    expect(unmigrated.code).toBe(1);
    expect(unmigrated.stderr).toMatch(/has no steplog tables yet: run `steplog migrate up`/);
    expect(unmigrated.stderr).not.toContain('Code: 81');

    const url = `http://127.0.0.1:${await freePort()}`;
    const unreachable = await runCli(['query', 'daily-users'], { ...empty, STEPLOG_URL: url });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`cannot reach the steplog server at ${url}`);
    expect(unreachable.stderr).toContain('steplog serve');
  });

  it('names the bad argument', async () => {
    const bad = await runCli(['query', 'daily-users', '--from', 'yesterday'], { STEPLOG_DATA_DIR: tempDataDir() });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("option '--from <day>' argument 'yesterday' is invalid");
  });
});
