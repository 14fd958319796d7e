import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Session } from 'chdb';
import {
  WAREHOUSE_DB,
  WarehouseError,
  type InsertRows,
  type ReadOnlyQueryOptions,
  type Warehouse,
  type WarehouseCapabilities,
  type WarehouseCopy,
} from '../../warehouse.ts';
import { toWarehouseError } from '../clickhouse-errors.ts';
import { ONE_STATEMENT, sandboxViolation, separatesStatements } from '../console-sandbox.ts';
import { jsonEachRow } from '../../json-each-row.ts';
import { lockOwnerDir } from './owner-lock.ts';

/** Threads one console query may use: the rest of the machine stays with loads and marts. */
const CONSOLE_THREADS = 1;

/**
 * Where BACKUP may write: the engine takes `backups.allowed_path` once, when the process opens its
 * first connection, so a backup is written here (inside the owned dir) and then moved to its target.
 */
const stagingDir = (dir: string) => path.join(dir, 'steplog-backups');
/**
 * `mutations_sync=0`: an ALTER … DELETE returns at once and runs in the background, as on a server
 * (chDB's default, 1, blocks the statement until the mutation ends, however long), so the caller's
 * bounded wait (src/warehouse/mutations.ts) is the same on every engine.
 */
const engineArgs = (backupsAllowedPath: string) => ({
  connectionArgs: [`--backups.allowed_path=${backupsAllowedPath}`, '--mutations_sync=0'],
});
const quoted = (text: string) => `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/**
 * Embedded ClickHouse (chDB) in this process. Only one process may own `dir` at a time: opening
 * takes it (WarehouseInUseError while another live process holds it), closing gives it back.
 */
export class ChdbWarehouse implements Warehouse {
  readonly capabilities: WarehouseCapabilities = {
    serverSideParameters: true,
    insertDeduplication: true,
    mutationFailReason: true,
  };

  readonly copy: WarehouseCopy = { refusal: null, copyTo: (target) => this.backup(target) };

  private console: Session | undefined;

  private constructor(
    private readonly dir: string,
    private readonly session: Session,
    private readonly release: () => void,
  ) {}

  static open(dir: string): ChdbWarehouse {
    const release = lockOwnerDir(dir);
    try {
      return new ChdbWarehouse(dir, new Session(dir, engineArgs(stagingDir(dir))), release);
    } catch (error) {
      release();
      throw error;
    }
  }

  /**
   * Restores a backup written by `backup` into `dir`, which must hold no steplog database yet; the
   * process must not have opened another chDB directory (the engine binds one per process).
   */
  static async restore(backup: string, dir: string): Promise<void> {
    const release = lockOwnerDir(dir);
    const session = new Session(dir, engineArgs(path.dirname(backup)));
    try {
      await session.queryAsync(`RESTORE DATABASE ${WAREHOUSE_DB} FROM File(${quoted(backup)})`, { format: 'Null' });
    } catch (error) {
      throw toWarehouseError(error);
    } finally {
      session.close();
      release();
    }
  }

  /**
   * Writes the steplog database to `target` (which must not exist) with the engine's BACKUP: each
   * table's parts as they stand when the statement reaches it. The caller holds loads off, so no
   * table changes in between. The insert-deduplication log is not part of a backup.
   */
  private async backup(target: string): Promise<void> {
    const staged = path.join(stagingDir(this.dir), randomUUID());
    await this.exec(`BACKUP DATABASE ${WAREHOUSE_DB} TO File(${quoted(staged)})`);
    try {
      fs.renameSync(staged, target);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      fs.cpSync(staged, target, { recursive: true });
    } finally {
      fs.rmSync(staged, { recursive: true, force: true });
    }
  }

  async exec(sql: string): Promise<void> {
    await this.run(() => this.session.queryAsync(sql, { format: 'Null' }));
  }

  async query<T>(sql: string, params?: Record<string, string | number>): Promise<T[]> {
    const result = await this.run(() =>
      params
        ? this.session.queryBindAsync(sql, params, { format: 'JSONEachRow' })
        : this.session.queryAsync(sql, { format: 'JSONEachRow' }),
    );
    return result
      .text()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as T);
  }

  async queryReadOnly(sql: string, { format, maxRows, limits, signal }: ReadOnlyQueryOptions): Promise<string> {
    // A subquery takes exactly one SELECT, and the outer SETTINGS put the engine in readonly mode.
    // The classic interpreter (analyzer off) also refuses a `SETTINGS readonly = 0` inside the
    // subquery; ClickHouse 26's analyzer would apply it. The newlines keep a trailing `--` comment
    // from swallowing the closing parenthesis. The marker names the query for KILL QUERY.
    // The engine's parser says what the query touches; the sandbox refuses the host and other databases.
    if (separatesStatements(sql)) throw new WarehouseError(ONE_STATEMENT);
    const ast = await this.run(() =>
      this.consoleSession().queryAsync(`EXPLAIN AST SELECT * FROM (\n${sql}\n)`, { format: 'TSVRaw' }),
    );
    const violation = sandboxViolation(ast.text());
    if (violation) throw new WarehouseError(violation);
    const marker = `steplog-console-${randomUUID()}`;
    const wrapped =
      `SELECT * FROM (\n${sql}\n) /* ${marker} */ SETTINGS allow_experimental_analyzer = 0, readonly = 1, ` +
      `max_result_rows = ${maxRows}, result_overflow_mode = 'break', ` +
      `max_execution_time = ${limits.maxExecutionSeconds}, max_memory_usage = ${limits.maxMemoryBytes}, ` +
      `max_rows_to_read = ${limits.maxRowsToRead}, max_threads = ${CONSOLE_THREADS}`;
    const cancel = () =>
      void this.session
        .queryAsync(`KILL QUERY WHERE query LIKE '%${marker}%' AND query NOT LIKE '%KILL QUERY%' ASYNC`, {
          format: 'Null',
        })
        .catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      // Its own session (connection): a console query never queues in front of a load.
      const result = await this.run(() => this.consoleSession().queryAsync(wrapped, { format }));
      return result.text();
    } catch (error) {
      // A query stopped by a limit can leave part of its output on the connection, where the next
      // query's answer would start with it (measured with MEMORY_LIMIT_EXCEEDED): use a new one.
      this.console?.close();
      this.console = undefined;
      throw error;
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  async insert(table: string, rows: InsertRows, deduplicationToken?: string): Promise<void> {
    if (rows.length === 0) return;
    const payload = jsonEachRow(rows);
    const settings: Record<string, string | number> = deduplicationToken
      ? { insert_deduplication_token: deduplicationToken, deduplicate_blocks_in_dependent_materialized_views: 1 }
      : {};
    await this.run(() => this.session.insert({ table, values: payload, format: 'JSONEachRow', settings }));
  }

  /** One embedded engine: everything acknowledged is here. */
  catchUp(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.console?.close();
    this.session.close();
    this.release();
    return Promise.resolve();
  }

  /** A second connection to the same data: chDB runs queries of different sessions in parallel. */
  private consoleSession(): Session {
    return (this.console ??= new Session(this.dir, engineArgs(stagingDir(this.dir))));
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toWarehouseError(error);
    }
  }
}
