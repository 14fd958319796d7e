import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import type { Database } from '../kysely/database.ts';
import { KyselyStore } from '../kysely/kysely-store.ts';
import { sqliteMigrations } from './migrations.ts';

/** The embedded OLTP store: one SQLite file in WAL mode, fsynced on every commit. */
export class SqliteStore extends KyselyStore {
  static open(file: string): SqliteStore {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    // FULL: a commit is on disk before we answer 2xx, even across power loss (NORMAL only survives process crashes).
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    return new SqliteStore(new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }));
  }

  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: { getMigrations: () => Promise.resolve(sqliteMigrations) },
    });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  }

  protected isUniqueViolation(error: unknown): boolean {
    return (
      error instanceof SQLite.SqliteError &&
      (error.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || error.code === 'SQLITE_CONSTRAINT_UNIQUE')
    );
  }
}
