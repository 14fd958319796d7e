import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidFor } from '../helpers/fixtures.ts';
import { api, createUserAndStep, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

/**
 * A real small filesystem (tmpfs) as the data dir, filled up while the server runs. (Remounting it
 * read-only is refused with EBUSY while SQLite holds its files open for writing, so a disk that
 * turns read-only under a live server cannot be produced this way.) Mounting needs root; elsewhere
 * the suite is skipped.
 */
const mountPoint = tempDataDir('steplog-tmpfs-');
const mounted = (() => {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const filler = path.join(mountPoint, 'filler');
let server: ServerProcess;
const accepted: string[] = [];
let next = 0;

const post = async () => {
  const eventId = uuidFor(++next);
  const answer = await api(server.url, 'POST', '/api/events', {
    event_id: eventId,
    user_id: 1,
    step_id: 1,
    action_id: 0,
  });
  if (answer.status === 202) accepted.push(eventId);
  return answer;
};

function fillDisk(): void {
  const chunk = Buffer.alloc(1 << 20);
  const fd = fs.openSync(filler, 'w');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    fs.closeSync(fd);
  }
  // The last partial megabyte: fill what is left byte-wise in 4 KiB steps.
  const small = Buffer.alloc(4096);
  try {
    for (;;) fs.appendFileSync(filler, small);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  }
}

beforeAll(async () => {
  if (!mounted) return;
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' }, mountPoint);
  await createUserAndStep(server.url);
});
afterAll(async () => {
  if (!mounted) return;
  await server?.stop();
  execFileSync('umount', [mountPoint]);
});

describe.skipIf(!mounted)('a full data dir', () => {
  it('answers 503 with Retry-After while the disk is full, stays up, and accepts again once space is freed', async () => {
    for (let i = 0; i < 20; i++) expect((await post()).status).toBe(202);
    fillDisk();
    for (let i = 0; i < 20; i++) {
      const answer = await post();
      expect(answer.status, server.output()).toBe(503);
      expect(answer.body).toMatchObject({ error: 'store_unavailable' });
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect((await api(server.url, 'GET', '/healthz')).status).toBe(200);
    fs.rmSync(filler);
    expect((await post()).status).toBe(202);
  });

  it('leaves an intact database holding exactly the accepted events', async () => {
    await server.stop();
    const db = new SQLite(path.join(mountPoint, 'steplog.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = db.prepare('SELECT event_id FROM events ORDER BY id').pluck().all();
      expect(stored).toEqual(accepted);
      expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(accepted.length);
    } finally {
      db.close();
    }
  });
});
