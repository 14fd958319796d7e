import { AppError } from '../errors/app-error.ts';

/**
 * The ClickHouse boundary: chDB embedded, a ClickHouse server over HTTP in production. Both run
 * the same SQL; what differs between engines is a capability flag, never a check of which runs.
 */
export interface Warehouse {
  readonly capabilities: WarehouseCapabilities;
  /** Runs a statement that returns nothing (DDL, INSERT … SELECT). */
  exec(sql: string): Promise<void>;
  /** Runs a SELECT; `params` fill `{name:Type}` placeholders. */
  query<T>(sql: string, params?: Record<string, string | number>): Promise<T[]>;
  /**
   * Runs an ad-hoc SELECT under the engine's `readonly=1` setting (the SQL console): the engine, not
   * steplog, refuses writes, DDL and table functions. Answers the engine's raw output in `format`.
   */
  queryReadOnly(sql: string, options: ReadOnlyQueryOptions): Promise<string>;
  /**
   * Inserts rows as one block (JSONEachRow); WarehouseRejectedError when the engine refuses the
   * data itself, WarehouseError for anything a retry may cure. With a deduplication token (engines that have
   * `insertDeduplication`), a repeat of the same token is skipped by the table and by each of its
   * materialized views on its own — so a retry also completes views that a crash cut short.
   */
  insert(table: string, rows: InsertRows, deduplicationToken?: string): Promise<void>;
  /**
   * Waits until the engine answering holds everything the warehouse acknowledged: on a replicated
   * cluster, every part another replica wrote (which may be down; the wait then fails with a
   * WarehouseError). Before judging what an in-doubt batch left behind. One engine: nothing to wait for.
   */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Rows for an insert: objects, or rows already encoded as JSONEachRow text (UTF-8, one JSON object
 * a line), as the loader encodes a batch while the one before it inserts.
 */
export type InsertRows = readonly object[] | Buffer;

export interface ReadOnlyQueryOptions {
  /** A ClickHouse output format: JSONCompact for a table. */
  readonly format: 'JSONCompact';
  /** Rows beyond this are cut off (at a block boundary, so a few more may come). */
  readonly maxRows: number;
  /** The engine stops the query past any of these. */
  readonly limits: ConsoleLimits;
  /** Aborting cancels the query in the engine (the client went away). */
  readonly signal?: AbortSignal | undefined;
}

/** What one console query may spend; each is an engine setting of the query. */
export interface ConsoleLimits {
  readonly maxExecutionSeconds: number;
  readonly maxMemoryBytes: number;
  readonly maxRowsToRead: number;
}

export interface WarehouseCapabilities {
  /** The engine binds `{name:Type}` parameters itself (ClickHouse ≥ 19.x); otherwise the driver inlines literals. */
  readonly serverSideParameters: boolean;
  /** `insert_deduplication_token` with deduplication in dependent materialized views (not in 18.16). */
  readonly insertDeduplication: boolean;
  /** `system.mutations` says why a mutation is stuck (`latest_fail_reason`, ClickHouse ≥ 19.1; not in 18.16). */
  readonly mutationFailReason: boolean;
}

/** The warehouse failed or could not be reached; the batch stays in the backlog. */
export class WarehouseError extends AppError {
  readonly code = 'warehouse_unavailable';
  readonly httpStatus = 503;
  override readonly logLevel = 'warn';
}

/**
 * The warehouse refused the rows themselves (a value it cannot parse or store, a view that throws
 * on them): inserting the same rows again cannot succeed, so the loader isolates them.
 */
export class WarehouseRejectedError extends WarehouseError {}

/** The steplog database or one of its tables does not exist: the warehouse was never migrated. */
export class WarehouseSchemaMissingError extends WarehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'WarehouseSchemaMissingError';
  }
}

/**
 * This process cannot open the warehouse because another one owns it (an embedded engine allows
 * one owner): reach it through that process's server instead.
 */
export class WarehouseInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WarehouseInUseError';
  }
}

/** A warehouse's side of a backup (src/ops/backup.ts): each adapter has one. */
export interface WarehouseCopy {
  /** Why steplog cannot copy this warehouse itself, naming the tool to use instead; null when it can. */
  readonly refusal: string | null;
  /** Writes a copy of the steplog database to `target` (a dir that must not exist); loads are held off meanwhile. */
  copyTo(target: string): Promise<void>;
}

/** The database holding every steplog table. */
export const WAREHOUSE_DB = 'steplog';
