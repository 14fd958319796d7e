import type SQLite from 'better-sqlite3';
import type { SqliteDatabase, SqliteStatement } from 'kysely';

const NOTHING: SqliteStatement = {
  reader: false,
  all: () => [],
  run: () => ({ changes: 0, lastInsertRowid: 0 }),
  iterate: () => [][Symbol.iterator](),
};

/**
 * On SQLITE_FULL or an I/O error SQLite rolls the transaction back by itself; Kysely's ROLLBACK
 * that follows would then fail ("no transaction is active") and hide the real error. This database
 * skips a ROLLBACK when no transaction is open, so callers see SQLITE_FULL.
 */
export function withTolerantRollback(db: SQLite.Database): SqliteDatabase {
  return {
    close: () => db.close(),
    prepare: (sql) => (!db.inTransaction && /^\s*rollback\s*$/i.test(sql) ? NOTHING : db.prepare(sql)),
  };
}
