import type { Kysely } from 'kysely';
import type { NewEvent, StoredEvent } from '../../events/event.ts';
import { StoreUnavailableError } from '../errors.ts';
import type { Database } from './database.ts';

/** What differs between the SQL stores under the shared query modules: the driver's errors and the hot insert. */
export interface SqlDialect {
  readonly capabilities: StoreCapabilities;
  /**
   * Inserts new events inside the caller's transaction and answers those it inserted with their
   * ids, in order: the ingest hot path, which each dialect writes in its fastest form. An event_id
   * another process committed meanwhile may be skipped (left out of the answer) instead of failing.
   */
  insertEvents(trx: Kysely<Database>, events: readonly NewEvent[], receivedAt: number): Promise<StoredEvent[]>;
  /**
   * Holds the named lock until the caller's transaction ends: transactions taking the same name
   * run their statements after it one at a time, and each sees what the one before committed.
   */
  lockUntilCommit(trx: Kysely<Database>, name: string): Promise<void>;
  /** Whether a driver error is a unique-key violation. */
  isUniqueViolation(error: unknown): boolean;
  /** Whether a driver error means the storage cannot write now (full, read-only, I/O error). */
  isUnavailable(error: unknown): boolean;
  /**
   * Copies the live database to a new file, consistent while writes go on; or why steplog cannot,
   * naming the tool to use instead.
   */
  readonly backup: { copyTo(target: string): Promise<void> } | { readonly refusal: string };
}

export interface StoreCapabilities {
  /**
   * `SELECT … FOR UPDATE SKIP LOCKED`: competing loaders claim disjoint outbox rows without
   * waiting for each other. Without it (SQLite) writers are serialized anyway.
   */
  readonly skipLocked: boolean;
}

/** Runs a write; a storage failure becomes StoreUnavailableError (the transaction rolled back). */
export async function guardedWrite<T>(dialect: SqlDialect, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!dialect.isUnavailable(error)) throw error;
    throw new StoreUnavailableError(`the store cannot write: ${(error as Error).message}`, { cause: error });
  }
}

/** Rows per statement when a list of ids is asked for: under every driver's bound-parameter limit. */
export const IDS_PER_STATEMENT = 20_000;
