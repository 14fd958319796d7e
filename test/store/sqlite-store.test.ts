import path from 'node:path';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { sqliteMigrations } from '../../src/store/sqlite/migrations.ts';
import { tempDataDir } from '../helpers/server.ts';
import { storeContract } from './store-contract.ts';

const openStore = async () => {
  const store = openSqliteStore(path.join(tempDataDir(), 'steplog.sqlite'));
  await store.migrate();
  return store;
};

storeContract('SQLite', openStore);

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
