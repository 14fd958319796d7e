import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { ClickHouseError } from '@clickhouse/client';
import { BackupUnsupportedError } from '../../../errors/backup-unsupported.ts';
import {
  WAREHOUSE_DB,
  WarehouseError,
  type InsertRows,
  type ReadOnlyQueryOptions,
  type Warehouse,
  type WarehouseCopy,
} from '../../warehouse.ts';
import { toWarehouseError } from '../clickhouse-errors.ts';
import { ONE_STATEMENT, sandboxViolation, separatesStatements, textSandboxViolation } from '../console-sandbox.ts';
import { jsonEachRow } from '../../json-each-row.ts';
import { capabilitiesOf, type ServerCapabilities } from './capabilities.ts';
import { inlineParameters } from './inline-parameters.ts';
import { Replicas, type Replica, type ReplicaOptions } from './replicas.ts';

/** Threads one console query may use: the rest of the server stays with loads and marts. */
const CONSOLE_THREADS = 1;
/** Counts stay JSON numbers (servers before 20.x quote 64-bit integers by default). */
const JSON_NUMBERS = { output_format_json_quote_64bit_integers: 0 } as const;

const BACKUP_REFUSAL =
  'steplog backs up only the embedded warehouse: on a ClickHouse server use its own BACKUP DATABASE steplog ' +
  'TO Disk(…) (22.x and later), or on 18.16 ALTER TABLE steplog.<table> FREEZE for every table (hard links ' +
  'under shadow/, copied off and put back with ALTER TABLE … ATTACH PARTITION)';

export type ClickHouseServerOptions = ReplicaOptions;

/**
 * A ClickHouse server (or the replicas of one cluster) over HTTP, with `@clickhouse/client`. What
 * the server can do is read from its version once, at connect: parameters bound by the server or
 * inlined here as typed literals, insert-deduplication tokens, the console's parse-tree check.
 */
export class ClickHouseServerWarehouse implements Warehouse {
  /** The server holds its data: a backup is the server's own, taken where its disks are. */
  readonly copy: WarehouseCopy = {
    refusal: BACKUP_REFUSAL,
    copyTo: () => Promise.reject(new BackupUnsupportedError(BACKUP_REFUSAL)),
  };

  private constructor(
    private readonly replicas: Replicas,
    readonly capabilities: ServerCapabilities,
    /** What `SELECT version()` answered. */
    readonly version: string,
  ) {}

  /** Connects to the first server of `urls` that answers and reads its capabilities. */
  static async connect(urls: readonly string[], options: ClickHouseServerOptions): Promise<ClickHouseServerWarehouse> {
    const replicas = new Replicas(urls, options);
    try {
      const [row] = await replicas.read((r) => rows<{ version: string }>(r, 'SELECT version() AS version'));
      const version = row?.version ?? '';
      return new ClickHouseServerWarehouse(replicas, capabilitiesOf(version), version);
    } catch (error) {
      await replicas.close();
      throw toWarehouseError(answer(error));
    }
  }

  /** The servers, without passwords. */
  get location(): string {
    return this.replicas.all.map((r) => r.name).join(', ');
  }

  async exec(sql: string): Promise<void> {
    await this.run(() => this.replicas.write(async (r) => void (await r.client.command({ query: sql }))));
  }

  async query<T>(sql: string, params?: Record<string, string | number>): Promise<T[]> {
    const bound = params !== undefined && this.capabilities.serverSideParameters;
    const text = params === undefined || bound ? sql : inlineParameters(sql, params);
    return this.run(() => this.replicas.read((r) => rows<T>(r, text, bound ? params : undefined)));
  }

  async queryReadOnly(sql: string, { format, maxRows, limits, signal }: ReadOnlyQueryOptions): Promise<string> {
    // One SELECT in a subquery; readonly=1 and the limits are settings of the request itself,
    // which the query cannot lower (a SETTINGS clause inside it does not stop table functions on
    // 18.16). The newlines keep a trailing `--` comment from swallowing the parenthesis.
    if (separatesStatements(sql)) throw new WarehouseError(ONE_STATEMENT);
    const wrapped = `SELECT * FROM (\n${sql}\n)`;
    const readonly = { readonly: '1' } as const;
    const violation = await this.run(() =>
      this.replicas.read(async (r) => {
        if (this.capabilities.explainAst) {
          const ast = await r.console.query({
            query: `EXPLAIN AST ${wrapped}`,
            format: 'TabSeparatedRaw',
            clickhouse_settings: readonly,
          });
          return sandboxViolation(await ast.text());
        }
        const databases = await rows<{ name: string }>(r, 'SELECT name FROM system.databases');
        return textSandboxViolation(
          sql,
          databases.map((d) => d.name),
        );
      }),
    );
    if (violation) throw new WarehouseError(violation);
    const queryId = `steplog-console-${randomUUID()}`;
    const cancel = () =>
      void this.replicas
        .read((r) => r.client.command({ query: `KILL QUERY WHERE query_id = '${queryId}' ASYNC` }))
        .catch(() => undefined);
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await this.run(() =>
        this.replicas.read(async (r) => {
          const result = await r.console.query({
            query: wrapped,
            format,
            query_id: queryId,
            abort_signal: signal,
            clickhouse_settings: {
              max_result_rows: String(maxRows),
              result_overflow_mode: 'break',
              max_execution_time: limits.maxExecutionSeconds,
              max_memory_usage: String(limits.maxMemoryBytes),
              max_rows_to_read: String(limits.maxRowsToRead),
              max_threads: CONSOLE_THREADS,
              ...readonly,
            },
          });
          return result.text();
        }),
      );
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  }

  async insert(table: string, rows: InsertRows, deduplicationToken?: string): Promise<void> {
    if (rows.length === 0) return;
    const settings =
      deduplicationToken !== undefined && this.capabilities.insertDeduplication
        ? {
            insert_deduplication_token: deduplicationToken,
            deduplicate_blocks_in_dependent_materialized_views: 1 as const,
          }
        : {};
    // The body as one JSONEachRow text (the client's own insert takes rows as objects only).
    const body = jsonEachRow(rows);
    await this.run(() =>
      this.replicas.write(async (r) => {
        const { stream } = await r.client.exec({
          query: `INSERT INTO ${table} FORMAT JSONEachRow`,
          values: Readable.from([body]),
          clickhouse_settings: settings,
        });
        stream.resume();
        await finished(stream);
      }),
    );
  }

  /**
   * SYSTEM SYNC REPLICA on each of steplog's replicated tables (none on a lone server): the replica
   * at hand fetches every part the others acknowledged. A part whose only holder is down keeps it
   * waiting until the request times out, and the caller retries later.
   */
  async catchUp(): Promise<void> {
    await this.run(() =>
      this.replicas.read(async (r) => {
        const tables = await rows<{ name: string }>(
          r,
          `SELECT table AS name FROM system.replicas WHERE database = '${WAREHOUSE_DB}' ORDER BY name`,
        );
        for (const { name } of tables) await r.client.command({ query: `SYSTEM SYNC REPLICA ${WAREHOUSE_DB}.${name}` });
      }),
    );
  }

  close(): Promise<void> {
    return this.replicas.close();
  }

  private async run<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw toWarehouseError(answer(error));
    }
  }
}

/** ClickHouse's default max_query_size; a longer text (inlined id lists) raises it for its query. */
const MAX_QUERY_SIZE = 262_144;

/** A SELECT's rows as objects. */
async function rows<T>(replica: Replica, query: string, params?: Record<string, string | number>): Promise<T[]> {
  // The client appends its FORMAT clause to the text.
  const size = Buffer.byteLength(query) + 1024;
  const result = await replica.client.query({
    query,
    format: 'JSONEachRow',
    ...(params === undefined ? {} : { query_params: params }),
    clickhouse_settings: size > MAX_QUERY_SIZE ? { ...JSON_NUMBERS, max_query_size: String(size) } : JSON_NUMBERS,
  });
  return result.json<T>();
}

/** A server's error with its `Code: N` in front, as every ClickHouse engine's messages start. */
function answer(error: unknown): unknown {
  return error instanceof ClickHouseError
    ? new Error(`Code: ${error.code}. ${error.message}`, { cause: error })
    : error;
}
