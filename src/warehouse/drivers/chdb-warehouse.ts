import fs from 'node:fs';
import { Session } from 'chdb';
import {
  WarehouseError,
  WarehouseRejectedError,
  type ReadOnlyQueryOptions,
  type Warehouse,
  type WarehouseCapabilities,
} from '../warehouse.ts';
import { isDataRejected } from './clickhouse-errors.ts';

export interface ChdbOptions {
  /** Fault injection for tests: while this file exists every call fails with a WarehouseError. */
  readonly downWhileFileExists?: string | null;
}

/** Embedded ClickHouse (chDB) in this process. Only one process may own `dir` at a time. */
export class ChdbWarehouse implements Warehouse {
  readonly capabilities: WarehouseCapabilities = { serverSideParameters: true, insertDeduplication: true };

  private constructor(
    private readonly session: Session,
    private readonly options: ChdbOptions,
  ) {}

  static open(dir: string, options: ChdbOptions = {}): ChdbWarehouse {
    fs.mkdirSync(dir, { recursive: true });
    return new ChdbWarehouse(new Session(dir), options);
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

  async queryReadOnly(sql: string, { format, maxRows }: ReadOnlyQueryOptions): Promise<string> {
    // A subquery takes exactly one SELECT, and the outer SETTINGS put the engine in readonly mode.
    // The classic interpreter (analyzer off) also refuses a `SETTINGS readonly = 0` inside the
    // subquery; ClickHouse 26's analyzer would apply it. The newlines keep a trailing `--` comment
    // from swallowing the closing parenthesis.
    const wrapped =
      `SELECT * FROM (\n${sql}\n) SETTINGS allow_experimental_analyzer = 0, readonly = 1, ` +
      `max_result_rows = ${maxRows}, result_overflow_mode = 'break'`;
    const result = await this.run(() => this.session.queryAsync(wrapped, { format }));
    return result.text();
  }

  async insert(table: string, rows: readonly object[], deduplicationToken?: string): Promise<void> {
    if (rows.length === 0) return;
    const payload = Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n'));
    const settings: Record<string, string | number> = deduplicationToken
      ? { insert_deduplication_token: deduplicationToken, deduplicate_blocks_in_dependent_materialized_views: 1 }
      : {};
    await this.run(() => this.session.insert({ table, values: payload, format: 'JSONEachRow', settings }));
  }

  close(): Promise<void> {
    this.session.close();
    return Promise.resolve();
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    const downFile = this.options.downWhileFileExists;
    if (downFile && fs.existsSync(downFile)) {
      throw new WarehouseError(`warehouse down: fault injected while ${downFile} exists`);
    }
    try {
      return await call();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isDataRejected(message)) throw new WarehouseRejectedError(message, { cause: error });
      throw new WarehouseError(message, { cause: error });
    }
  }
}
