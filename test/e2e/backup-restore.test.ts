import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, createUserAndStep, runCli, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

const servers: ServerProcess[] = [];
afterAll(async () => {
  for (const server of servers) await server.stop();
});

/** Senders of small batches that record each event once its 2xx arrived, in order. */
function sendUntilStopped(url: string, key: string, senders: number) {
  const acknowledged: string[] = [];
  let stopped = false;
  const loop = async () => {
    while (!stopped) {
      const ids = Array.from({ length: 20 }, () => randomUUID());
      const events = ids.map((event_id) => ({ event_id, user_id: 1, step_id: 1, action_id: 0 }));
      const { status } = await api(url, 'POST', '/api/events/batch', { events }, key);
      if (status !== 202) throw new Error(`ingest answered ${status}`);
      acknowledged.push(...ids);
    }
  };
  const running = Promise.all(Array.from({ length: senders }, loop));
  // A test that fails before stop() stops the server under the senders: not an unhandled rejection.
  running.catch(() => undefined);
  return {
    acknowledged,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}

async function copiesOf(url: string, ids: readonly string[]): Promise<Map<string, { rows: number; copies: number }>> {
  const found = new Map<string, { rows: number; copies: number }>();
  for (let i = 0; i < ids.length; i += 10_000) {
    const { status, body } = await api(url, 'POST', '/api/verify/events', { event_ids: ids.slice(i, i + 10_000) });
    expect(status).toBe(200);
    for (const e of body.events) found.set(e.event_id, { rows: e.rows, copies: e.copies });
  }
  return found;
}

describe('steplog backup and restore', () => {
  it('backs up a server during a load; the restored data dir holds every event acknowledged before, once', async () => {
    const dataDir = tempDataDir();
    const server = await startServer({ STEPLOG_FLUSH_INTERVAL: '200ms' }, dataDir);
    servers.push(server);
    await createUserAndStep(server.url);
    const load = sendUntilStopped(server.url, server.keys.ingest, 4);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    const backupDir = path.join(tempDataDir('steplog-backup-'), 'copy');
    const beforeBackup = [...load.acknowledged];
    const port = new URL(server.url).port;
    const env = { STEPLOG_DATA_DIR: dataDir, STEPLOG_PORT: port, STEPLOG_API_KEY: server.keys.admin };
    const backupStarted = Date.now();
    const backedUp = await runCli(['backup', backupDir], env);
    const backupSeconds = (Date.now() - backupStarted) / 1000;
    expect(backedUp.stderr).toBe('');
    expect(backedUp.code).toBe(0);
    const afterBackup = load.acknowledged.length;
    await new Promise((resolve) => setTimeout(resolve, 500));
    await load.stop();
    const all = [...load.acknowledged];
    const acknowledgedAfter = all.slice(afterBackup);
    // The backup really ran while events came in and loads went on.
    expect(beforeBackup.length).toBeGreaterThan(100);
    expect(acknowledgedAfter.length).toBeGreaterThan(0);
    await server.stop();
    // With no server running the CLI takes the backup itself.
    const offlineDir = path.join(tempDataDir('steplog-backup-'), 'offline');
    const offline = await runCli(['backup', offlineDir], { STEPLOG_DATA_DIR: dataDir, STEPLOG_PORT: port });
    expect(offline.stderr).toBe('');
    expect(offline.stdout).toContain(`backup written to ${offlineDir}`);
    expect(fs.existsSync(path.join(offlineDir, 'steplog-backup.json'))).toBe(true);
    fs.rmSync(offlineDir, { recursive: true, force: true });

    const restoredDir = tempDataDir();
    const restored = await runCli(['restore', backupDir], { STEPLOG_DATA_DIR: restoredDir });
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const again = await runCli(['restore', backupDir], { STEPLOG_DATA_DIR: restoredDir });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('is not empty: restore into an empty data dir, or give --force');
    const forced = await runCli(['restore', backupDir, '--force'], { STEPLOG_DATA_DIR: restoredDir });
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);

    const revived = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' }, restoredDir);
    servers.push(revived);
    expect(revived.keys).toEqual(server.keys);
    const underServer = await runCli(['restore', backupDir, '--force'], { STEPLOG_DATA_DIR: restoredDir });
    expect(underServer.code).toBe(1);
    expect(underServer.stderr).toMatch(/is in use by process \d+/);
    expect((await api(revived.url, 'POST', '/api/imports')).body).toMatchObject({ status: 'succeeded' });
    expect((await api(revived.url, 'GET', '/api/imports')).body.backlog).toMatchObject({ events: 0 });

    const found = await copiesOf(revived.url, all);
    const notOnce = beforeBackup.filter((id) => found.get(id)?.rows !== 1 || found.get(id)?.copies !== 1);
    expect(notOnce).toEqual([]);
    const duplicated = all.filter((id) => (found.get(id)?.rows ?? 0) > 1 || (found.get(id)?.copies ?? 0) > 1);
    expect(duplicated).toEqual([]);
    // Events acknowledged after the backup returned were committed after its store copy: not in it.
    expect(acknowledgedAfter.filter((id) => found.has(id))).toEqual([]);
    const missing = all.filter((id) => !found.has(id));
    console.log(
      `backup during a load (CLI ${backupSeconds.toFixed(1)} s): ${beforeBackup.length} acknowledged before (all once), ${all.length} sent, ` +
        `${missing.length} missing after the restore (acknowledged during or after the backup), 0 duplicated`,
    );
    fs.rmSync(backupDir, { recursive: true, force: true });
  }, 120_000);
});
