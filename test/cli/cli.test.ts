import { describe, expect, it } from 'vitest';
import { api, runCli, startServer, tempDataDir } from '../helpers/server.ts';

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

  it('names the bad argument', async () => {
    const bad = await runCli(['query', 'daily-users', '--from', 'yesterday'], { STEPLOG_DATA_DIR: tempDataDir() });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("option '--from <day>' argument 'yesterday' is invalid");
  });
});
