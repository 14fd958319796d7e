import path from 'node:path';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/events/event.ts';
import { MAX_UINT32 } from '../../src/events/limits.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { sqliteMigrations } from '../../src/store/sqlite/migrations.ts';
import { tempDataDir } from '../helpers/server.ts';

const openStore = async () => {
  const store = openSqliteStore(path.join(tempDataDir(), 'steplog.sqlite'));
  await store.migrate();
  return store;
};

describe('SQLite store ids', () => {
  it('never hands out an id again, not even a deleted task’s', async () => {
    const store = await openStore();
    const first = await store.catalog.createTask({ title: 'a', text: '' });
    const second = await store.catalog.createTask({ title: 'b', text: '' });
    expect(await store.catalog.deleteTask(second.id)).toBe(true);
    const third = await store.catalog.createTask({ title: 'c', text: '' });
    expect([first.id, second.id, third.id]).toEqual([1, 2, 3]);
    await store.close();
  });

  it('stops the sequence at UInt32 instead of passing it', async () => {
    const store = await openStore();
    const last = await store.catalog.createUser({
      id: MAX_UINT32,
      name: 'last',
      email: '',
      joinDate: 0,
      registrationDate: null,
    });
    expect(last.id).toBe(MAX_UINT32);
    await expect(
      store.catalog.createUser({ name: 'next', email: '', joinDate: 0, registrationDate: null }),
    ).rejects.toThrow(/CHECK constraint/);
    await expect(store.catalog.createTask({ id: MAX_UINT32 + 1, title: 'past UInt32', text: '' })).rejects.toThrow(
      /CHECK constraint/,
    );
    await store.close();
  });
});

describe('SQLite migration 0003', () => {
  it('turns the rows an earlier loader marked in doubt into one formed batch with the token it used', async () => {
    const file = path.join(tempDataDir(), 'steplog.sqlite');
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
    const upTo = (last: string) =>
      new Migrator({
        db,
        provider: {
          getMigrations: () =>
            Promise.resolve(Object.fromEntries(Object.entries(sqliteMigrations).filter(([name]) => name <= last))),
        },
      }).migrateToLatest();
    expect((await upTo('0002_web')).error).toBeUndefined();
    const raw = new SQLite(file);
    raw.exec(`INSERT INTO users (id, join_date, name, email) VALUES (1, 0, 'u', '');
              INSERT INTO tasks (id, title, text) VALUES (1, 't', '');`);
    for (let i = 1; i <= 5; i++) {
      raw
        .prepare(
          'INSERT INTO events (event_id, time, action_id, step_id, user_id, received_at) VALUES (?, 0, 0, 1, 1, 0)',
        )
        .run(`id-${i}`);
      raw.prepare('INSERT INTO outbox (event_pk, in_doubt) VALUES (?, ?)').run(i, i <= 3 ? 1 : 0);
    }
    expect((await upTo('0003_server_ids_and_dead_letters')).error).toBeUndefined();
    expect(raw.prepare('SELECT id, token FROM outbox_batches').all()).toEqual([{ id: 1, token: 'steplog:1:3:3' }]);
    expect(raw.prepare('SELECT event_pk, batch_id FROM outbox ORDER BY event_pk').all()).toEqual([
      { event_pk: 1, batch_id: 1 },
      { event_pk: 2, batch_id: 1 },
      { event_pk: 3, batch_id: 1 },
      { event_pk: 4, batch_id: null },
      { event_pk: 5, batch_id: null },
    ]);
    expect(raw.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 1 });
    expect(raw.pragma('foreign_key_check')).toEqual([]);
    raw.close();
    await db.destroy();
  });
});

describe('SQLite store appends', () => {
  it('an event for a task deleted after it was checked is refused alone, not the whole commit', async () => {
    const store = await openStore();
    const append = (events: readonly NewEvent[]) =>
      store.eventLog.appendEvents(events, new OutboxTransport(store.db).enqueue);
    await store.catalog.createUser({ name: 'u', email: '', joinDate: 0, registrationDate: null });
    const kept = await store.catalog.createTask({ title: 'kept', text: '' });
    const doomed = await store.catalog.createTask({ title: 'doomed', text: '' });
    const event = (stepId: number, n: number) => ({
      eventId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      time: 0,
      userId: 1,
      stepId,
      actionId: 0 as const,
    });
    // A repeated event_id naming the doomed task: the task is checked while it exists (and was
    // cached for good, before), but no event refers to it, so it can then be deleted.
    expect((await append([event(kept.id, 1)]))[0]).toMatchObject({ ok: true });
    expect((await append([event(doomed.id, 1)]))[0]).toMatchObject({ ok: true, duplicate: true });
    expect(await store.catalog.deleteTask(doomed.id)).toBe(true);
    const results = await append([event(doomed.id, 2), event(kept.id, 3)]);
    expect(results).toMatchObject([{ ok: false, field: 'step_id' }, { ok: true }]);
    await store.close();
  });
});
