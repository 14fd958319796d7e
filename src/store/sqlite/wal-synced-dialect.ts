import { SqliteDialect, SqliteDriver, type Driver, type SqliteDatabase } from 'kysely';
import type { WalSync } from './wal-sync.ts';

/** Whether the connection's holder wrote since it last waited for durability. */
export interface WriteTracker {
  wrote: boolean;
}

/** Marks the tracker whenever a statement that can write is prepared (SQLite knows: `readonly`). */
function trackingWrites(database: SqliteDatabase, tracker: WriteTracker): SqliteDatabase {
  return {
    close: () => database.close(),
    prepare: (sql) => {
      const statement = database.prepare(sql);
      if ((statement as { readonly?: boolean }).readonly !== true) tracker.wrote = true;
      return statement;
    },
  };
}

/**
 * Kysely's SQLite dialect whose writers wait for their commit to be on disk (WalSync) after giving
 * the one connection back: the next transaction commits while this one's fsync runs, so a
 * transaction costs the event loop its statements, not its fsync.
 */
export class WalSyncedDialect extends SqliteDialect {
  private readonly database: SqliteDatabase;

  constructor(
    database: SqliteDatabase,
    private readonly inTransaction: () => boolean,
    private readonly tracker: WriteTracker,
    private readonly wal: WalSync,
  ) {
    const tracked = trackingWrites(database, tracker);
    super({ database: tracked });
    this.database = tracked;
  }

  override createDriver(): Driver {
    const { database, inTransaction, tracker, wal } = this;
    return new (class extends SqliteDriver {
      override async releaseConnection(): Promise<void> {
        // A transaction still open cannot be made durable yet: its commit's release will.
        const durable = tracker.wrote && !inTransaction() ? wal.afterCommit() : null;
        if (durable) tracker.wrote = false;
        await super.releaseConnection();
        await durable;
      }
    })({ database });
  }
}
