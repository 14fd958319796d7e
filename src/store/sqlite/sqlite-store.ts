import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { NewEvent, StoredEvent } from '../../events/event.ts';
import type { Database } from '../kysely/database.ts';
import { migrateToLatest } from '../kysely/migrate.ts';
import { KyselyStore } from '../kysely/kysely-store.ts';
import { sqliteMigrations } from './migrations.ts';
import { withTolerantRollback } from './tolerant-rollback.ts';

/** Result codes (and their extended forms) of storage that cannot write now; SQLite rolls the transaction back. */
const UNAVAILABLE = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_BUSY'];

interface HotStatements {
  readonly insertEvent: SQLite.Statement<[string, number, number, number, number, number]>;
  readonly insertOutbox: SQLite.Statement<[number | bigint]>;
}

/** The embedded OLTP store: one SQLite file in WAL mode, fsynced on every commit. */
export class SqliteStore extends KyselyStore {
  readonly capabilities = { skipLocked: false };
  private hot: HotStatements | undefined;

  private constructor(private readonly sqlite: SQLite.Database) {
    super(new Kysely<Database>({ dialect: new SqliteDialect({ database: withTolerantRollback(sqlite) }) }));
  }

  static open(file: string): SqliteStore {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before we answer 2xx, even across power loss (NORMAL only survives process crashes).
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    return new SqliteStore(sqlite);
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.db, sqliteMigrations);
  }

  /**
   * Statements prepared once and run per row on the connection that holds the caller's
   * transaction: SQLite's fastest insert path (a multi-row statement is parsed anew per batch).
   */
  protected insertEvents(
    _trx: Kysely<Database>,
    events: readonly NewEvent[],
    receivedAt: number,
  ): Promise<StoredEvent[]> {
    const hot = (this.hot ??= {
      insertEvent: this.sqlite.prepare(
        'INSERT INTO events (event_id, time, action_id, step_id, user_id, received_at) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      insertOutbox: this.sqlite.prepare('INSERT INTO outbox (event_pk) VALUES (?)'),
    });
    return Promise.resolve(
      events.map(({ eventId, time, actionId, stepId, userId }) => {
        const id = Number(hot.insertEvent.run(eventId, time, actionId, stepId, userId, receivedAt).lastInsertRowid);
        hot.insertOutbox.run(id);
        return { id, eventId, time, actionId, stepId, userId, receivedAt };
      }),
    );
  }

  protected isUniqueViolation(error: unknown): boolean {
    return (
      error instanceof SQLite.SqliteError &&
      (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE')
    );
  }

  protected isUnavailable(error: unknown): boolean {
    return error instanceof SQLite.SqliteError && UNAVAILABLE.some((code) => error.code.startsWith(code));
  }
}
