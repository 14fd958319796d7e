import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../src/ingest/group-commit.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { StoreUnavailableError } from '../../src/store/errors.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { fsyncFile } from '../../src/store/sqlite/wal-sync.ts';
import { generateEvents } from '../helpers/fixtures.ts';
import { tempDataDir } from '../helpers/server.ts';

/**
 * The fsyncs the store asks for, recorded with what another connection saw committed at that
 * moment. They run at once (the real fsync) unless the test holds them; a held one runs when released.
 */
function recordedSyncs() {
  const asked: { file: string; committedEvents: number; release: (error?: Error) => void }[] = [];
  const held = { on: false, count: 0 };
  let onAsk: () => void = () => undefined;
  const syncFile = (target: string) => {
    held.count += 1;
    if (!held.on) return fsyncFile(target);
    return new Promise<void>((resolve, reject) => {
      asked.push({
        file: target,
        committedEvents: countEvents(),
        release: (error) => {
          if (error) reject(error);
          else fsyncFile(target).then(resolve, reject);
        },
      });
      onAsk();
    });
  };
  const nextAsk = () => new Promise<void>((resolve) => (onAsk = resolve));
  const releaseAll = () => asked.splice(0).forEach((sync) => sync.release());
  return { syncFile, asked, held, nextAsk, releaseAll };
}

const file = path.join(tempDataDir(), 'steplog.sqlite');
const syncs = recordedSyncs();
const store = openSqliteStore(file, syncs.syncFile);
await store.migrate();
const { enqueue } = new OutboxTransport(store);
await store.catalog.createUser({ id: 1, name: 'u', email: '', joinDate: 0, registrationDate: null });
await store.catalog.createTask({ id: 1, title: 't', text: '' });
beforeEach(() => {
  syncs.held.on = true;
});
afterEach(() => {
  syncs.held.on = false;
  syncs.releaseAll();
});
afterAll(() => store.close());

function tick(): Promise<'pending'> {
  return new Promise((resolve) => setTimeout(() => resolve('pending'), 20));
}

const settled = (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(
      () => 'settled',
      () => 'settled',
    ),
    tick(),
  ]);

describe('SQLite durability: a write goes on only once its commit is fsynced, off the event loop', () => {
  it('answers an append only after an fsync of the WAL that began after its commit', async () => {
    const events = generateEvents(3, 1, 1, 1000);
    const asked = syncs.nextAsk();
    const append = store.eventLog.appendEvents(events, enqueue);
    await asked;
    const [sync] = syncs.asked;
    expect(sync).toMatchObject({ file: `${file}-wal` });
    // Committed (another connection sees it) but not yet answered: the fsync is still held.
    expect(sync!.committedEvents).toBeGreaterThanOrEqual(3);
    expect(await settled(append)).toBe('pending');
    syncs.releaseAll();
    expect((await append).every((result) => result.ok)).toBe(true);
  });

  it('lets the next group commit while the previous one waits for its fsync, and answers it after a later fsync', async () => {
    const committer = new GroupCommitter(store.eventLog, enqueue);
    const firstAsked = syncs.nextAsk();
    const first = committer.append(generateEvents(2, 1, 1, 2000));
    await firstAsked;
    const before = syncs.asked[0]!.committedEvents;
    const second = committer.append(generateEvents(2, 1, 1, 3000));
    // The second group commits at once: readable before the first fsync ends.
    await expect.poll(() => countEvents(), { timeout: 2000 }).toBe(before + 2);
    expect(syncs.asked).toHaveLength(1);
    expect(await settled(second)).toBe('pending');
    const secondAsked = syncs.nextAsk();
    syncs.asked.shift()!.release();
    await first;
    // Its own fsync starts only now: the one running began before its commit.
    await secondAsked;
    expect(await settled(second)).toBe('pending');
    syncs.releaseAll();
    expect((await second).every((result) => result.ok)).toBe(true);
  });

  it('does not fsync for reads', async () => {
    const before = syncs.held.count;
    await store.catalog.listUsers({ limit: 10, after: 0 });
    await store.catalog.getUser(1);
    await store.eventLog.listEvents({ limit: 10, after: 0 });
    expect(syncs.held.count).toBe(before);
  });

  it('fails the write as store unavailable when the fsync fails: the caller is never told it is durable', async () => {
    const asked = syncs.nextAsk();
    const append = store.eventLog.appendEvents(generateEvents(1, 1, 1, 4000), enqueue);
    await asked;
    syncs.asked.shift()!.release(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
    await expect(append).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

function countEvents(): number {
  const reader = new SQLite(file, { readonly: true });
  try {
    return (reader.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
  } finally {
    reader.close();
  }
}
