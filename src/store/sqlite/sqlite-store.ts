import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely } from 'kysely';
import type { NewEvent, StoredEvent } from '../../events/event.ts';
import type { Database } from '../kysely/database.ts';
import { KyselyStore } from '../kysely/kysely-store.ts';
import type { SqlDialect } from '../kysely/sql-dialect.ts';
import { sqliteMigrations } from './migrations.ts';
import { withTolerantRollback } from './tolerant-rollback.ts';
import { WalSync, type FileSync } from './wal-sync.ts';
import { WalSyncedDialect, type WriteTracker } from './wal-synced-dialect.ts';

/** Result codes (and their extended forms) of storage that cannot write now; SQLite rolls the transaction back. */
const UNAVAILABLE = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_CANTOPEN', 'SQLITE_BUSY'];

/**
 * The embedded OLTP store: one SQLite file in WAL mode. Every write is on disk before its caller
 * goes on (a 2xx, a batch formed), even across power loss: the WAL is fsynced after the commit,
 * off the event loop (see WalSync). `syncFile` replaces the fsync for tests.
 */
export function openSqliteStore(file: string, syncFile?: FileSync): KyselyStore {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new SQLite(file);
  sqlite.pragma('journal_mode = WAL');
  // NORMAL: a commit reaches the OS, not the disk; WalSync's fsync, which writers wait for, does that.
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  const tracker: WriteTracker = { wrote: false };
  const dialect = new WalSyncedDialect(
    withTolerantRollback(sqlite),
    () => sqlite.inTransaction,
    tracker,
    new WalSync(file, syncFile),
  );
  return new KyselyStore(new Kysely<Database>({ dialect }), sqliteDialect(sqlite, tracker), sqliteMigrations);
}

function sqliteDialect(sqlite: SQLite.Database, tracker: WriteTracker): SqlDialect {
  let insertEvent: SQLite.Statement<[string, number, number, number, number, number]> | undefined;
  return {
    // One writer at a time: a loader's claim never races another's.
    capabilities: { skipLocked: false },
    // Nothing to take: a transaction's first write waits for the one write lock and reads the
    // database as last committed (WAL), so write-first transactions already run one at a time.
    lockUntilCommit: () => Promise.resolve(),
    /**
     * A statement prepared once and run per row on the connection that holds the caller's
     * transaction: SQLite's fastest insert path (a multi-row statement is parsed anew per batch).
     */
    insertEvents(_trx: Kysely<Database>, events: readonly NewEvent[], receivedAt: number): Promise<StoredEvent[]> {
      insertEvent ??= sqlite.prepare(
        'INSERT INTO events (event_id, time, action_id, step_id, user_id, received_at) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const statement = insertEvent;
      tracker.wrote = true;
      return Promise.resolve(
        events.map(({ eventId, time, actionId, stepId, userId }) => {
          const id = Number(statement.run(eventId, time, actionId, stepId, userId, receivedAt).lastInsertRowid);
          return { id, eventId, time, actionId, stepId, userId, receivedAt };
        }),
      );
    },
    isUniqueViolation: (error) =>
      error instanceof SQLite.SqliteError &&
      (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE'),
    isUnavailable: (error) =>
      error instanceof SQLite.SqliteError && UNAVAILABLE.some((code) => error.code.startsWith(code)),
    // SQLite's online backup: pages copied in steps, restarted when another connection writes,
    // so the copy is one committed state of the database however busy ingest is.
    backup: {
      async copyTo(target) {
        await sqlite.backup(target);
      },
    },
  };
}
