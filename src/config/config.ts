import path from 'node:path';
import ms from 'ms';
import { z } from 'zod';
import { CLUSTER_NAME } from '../warehouse/cluster-ddl.ts';
import { memoryRefusal } from './memory-budget.ts';

/** Every setting steplog reads, with defaults that run embedded (SQLite + chDB under ./data). */
export interface Config {
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  /** PostgreSQL's URL when it is the store; null keeps SQLite in the data dir. */
  readonly databaseUrl: string | null;
  /** RabbitMQ's URL when it is the transport; null keeps the store's outbox. */
  readonly amqpUrl: string | null;
  /**
   * The warehouse: ClickHouse servers over HTTP (one, or the replicas of one cluster, used in
   * turn when one fails), or null for chDB embedded in the data dir.
   */
  readonly clickhouseUrls: readonly string[] | null;
  /**
   * The ClickHouse cluster (a remote_servers name) whose replicas `clickhouseUrls` lists: migrations
   * create Replicated tables ON CLUSTER. Null: one server, plain tables.
   */
  readonly clickhouseCluster: string | null;
  /** How long one request to a ClickHouse server may take. */
  readonly clickhouseTimeoutMs: number;
  /** How often the loader moves the backlog into the warehouse. */
  readonly flushIntervalMs: number;
  /** Rows per warehouse insert; a backlog this large also triggers a load before the interval. */
  readonly batchSize: number;
  /** Most events accepted in one POST /api/events/batch. */
  readonly maxEventsPerRequest: number;
  /** Largest request body, in bytes. */
  readonly bodyLimitBytes: number;
  /** The process's memory bound: checked at start against what the batch, request and console sizes allow. */
  readonly memoryLimitBytes: number;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** JSON lines (for a collector), or pretty colored lines for a terminal. */
  readonly logFormat: 'json' | 'pretty';
  /** Where CLI commands find a running server: STEPLOG_URL, else this machine on `port`. */
  readonly serverUrl: string;
  /** STEPLOG_URL was given: CLI commands go through that server instead of opening the warehouse. */
  readonly serverUrlGiven: boolean;
  /** Undelivered events past which ingest answers 503 + Retry-After and writes nothing. */
  readonly maxBacklog: number;
  /** How long an admin stays logged in. */
  readonly sessionTtlMs: number;
  /** How long a SIGTERM may take to finish the running load and close the stores. */
  readonly shutdownTimeoutMs: number;
  /** Whether the admin session cookie carries `Secure` (browsers still send it to http://localhost). */
  readonly cookieSecure: boolean;
  /** Most rows the SQL console shows or downloads. */
  readonly sqlMaxRows: number;
  /** What one SQL console query may spend before the engine stops it. */
  readonly sqlLimits: {
    readonly maxExecutionSeconds: number;
    readonly maxMemoryBytes: number;
    readonly maxRowsToRead: number;
  };
  /** Whole months older than this are dropped from the warehouse and the store; null keeps everything. */
  readonly retentionMs: number | null;
  /** How long erasure and retention wait for one ClickHouse mutation before they fail. */
  readonly mutationTimeoutMs: number;
  /**
   * The dedup horizon: a delivered event received longer ago than this is forgotten by the store,
   * and a retry of its event_id after that is stored as a new event.
   */
  readonly dedupWindowMs: number;
  /** The key CLI commands send to a running server (`--key` overrides it). */
  readonly apiKey: string | null;
  /** Rate limits: at most `max` requests per `windowMs`, then 429 with Retry-After. */
  readonly limits: {
    readonly loginPerIp: RateLimit;
    readonly loginPerUsername: RateLimit;
    /** POST /api/tasks/:id/check, per credential and task: answer guessing. */
    readonly answerCheck: RateLimit;
  };
}

/** What a `steplog serve` process does: everything, or one side of the pipeline (scale-out). */
export const ROLES = ['all', 'api', 'loader'] as const;
export type Role = (typeof ROLES)[number];

/**
 * Split roles run as several processes sharing one warehouse; chDB has one owner, so they need a
 * ClickHouse server. Answers why a role cannot start with this configuration, or null.
 */
export function roleRefusal(role: Role, config: Pick<Config, 'clickhouseUrls'>): string | null {
  if (role === 'all' || config.clickhouseUrls !== null) return null;
  return (
    `--role ${role} needs STEPLOG_CLICKHOUSE_URL: api and loader processes share one ClickHouse server, ` +
    'and the embedded chDB can have only one owner (run `steplog serve` with --role all instead)'
  );
}

export interface RateLimit {
  readonly max: number;
  readonly windowMs: number;
}

export class ConfigError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`${setting}: ${message}`);
    this.name = 'ConfigError';
  }
}

const duration = z.string().transform((text, ctx) => {
  const value = /^\d+(ms|s|m|h)$/.test(text.trim()) ? ms(text.trim() as ms.StringValue) : undefined;
  if (value === undefined || value < 1) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 2s, 30s or 5m, got "${text}"` });
    return z.NEVER;
  }
  return value;
});

const days = z.string().transform((text, ctx) => {
  const match = /^(\d{1,5})d$/.exec(text.trim());
  if (!match || Number(match[1]) < 1) {
    ctx.addIssue({ code: 'custom', message: `expected a number of days such as 400d, got "${text}"` });
    return z.NEVER;
  }
  return Number(match[1]) * 86_400_000;
});

const httpUrls = z.string().transform((text, ctx) => {
  const urls = text.split(',').map((part) => part.trim());
  for (const url of urls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
      ctx.addIssue({
        code: 'custom',
        message: `expected http(s)://[user:password@]host:port/, comma-separated, got "${url}"`,
      });
      return z.NEVER;
    }
  }
  return urls;
});

const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);

const schema = z.object({
  STEPLOG_HOST: z.string().min(1).default('127.0.0.1'),
  STEPLOG_PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  STEPLOG_DATA_DIR: z.string().min(1).default('./data'),
  STEPLOG_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres://… URL')
    .optional(),
  STEPLOG_AMQP_URL: z
    .string()
    .regex(/^amqps?:\/\/\S+$/, 'expected an amqp://… URL')
    .optional(),
  STEPLOG_CLICKHOUSE_URL: httpUrls.optional(),
  STEPLOG_CLICKHOUSE_CLUSTER: z
    .string()
    .regex(CLUSTER_NAME, "expected the name of a cluster in the servers' remote_servers (letters, digits, _)")
    .optional(),
  STEPLOG_CLICKHOUSE_TIMEOUT: duration.default(300_000),
  STEPLOG_FLUSH_INTERVAL: duration.default(300_000),
  STEPLOG_BATCH_SIZE: positiveInt(1_000_000).default(10_000),
  STEPLOG_MAX_EVENTS_PER_REQUEST: positiveInt(100_000).default(10_000),
  STEPLOG_BODY_LIMIT: positiveInt(1 << 30).default(8 * 1024 * 1024),
  STEPLOG_MEMORY_LIMIT: positiveInt(2 ** 40).default(2 * 1024 ** 3),
  STEPLOG_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STEPLOG_LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
  STEPLOG_URL: z.url().optional(),
  STEPLOG_MAX_BACKLOG: positiveInt(1_000_000_000).default(1_000_000),
  STEPLOG_SESSION_TTL: duration.default(12 * 3_600_000),
  STEPLOG_SHUTDOWN_TIMEOUT: duration.default(10_000),
  STEPLOG_COOKIE_SECURE: z.enum(['true', 'false']).default('true'),
  STEPLOG_SQL_MAX_ROWS: positiveInt(1_000_000).default(10_000),
  STEPLOG_API_KEY: z.string().min(1).optional(),
  STEPLOG_RETENTION: days.optional(),
  STEPLOG_MUTATION_TIMEOUT: duration.default(600_000),
  STEPLOG_DEDUP_WINDOW: days.default(7 * 86_400_000),
  STEPLOG_SQL_MAX_EXECUTION_TIME: duration.default(30_000),
  STEPLOG_SQL_MAX_MEMORY: positiveInt(2 ** 40).default(1024 * 1024 * 1024),
  STEPLOG_SQL_MAX_ROWS_TO_READ: positiveInt(1e12).default(1_000_000_000),
  STEPLOG_LOGIN_MAX_PER_IP: positiveInt(1_000_000).default(30),
  STEPLOG_LOGIN_MAX_PER_USERNAME: positiveInt(1_000_000).default(10),
  STEPLOG_LOGIN_WINDOW: duration.default(15 * 60_000),
  STEPLOG_CHECK_MAX: positiveInt(1_000_000).default(30),
  STEPLOG_CHECK_WINDOW: duration.default(60_000),
});

/** Reads and validates every STEPLOG_* setting; throws ConfigError naming the first bad one. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(String(issue.path[0]), issue.message);
  }
  const s = parsed.data;
  if (s.STEPLOG_CLICKHOUSE_CLUSTER !== undefined && s.STEPLOG_CLICKHOUSE_URL === undefined) {
    throw new ConfigError('STEPLOG_CLICKHOUSE_CLUSTER', 'needs STEPLOG_CLICKHOUSE_URL (the replicas of the cluster)');
  }
  const refusal = memoryRefusal(s.STEPLOG_MEMORY_LIMIT, {
    batchSize: s.STEPLOG_BATCH_SIZE,
    bodyLimitBytes: s.STEPLOG_BODY_LIMIT,
    inProcessQueryBytes: s.STEPLOG_CLICKHOUSE_URL === undefined ? s.STEPLOG_SQL_MAX_MEMORY : 0,
  });
  if (refusal !== null) throw new ConfigError('STEPLOG_MEMORY_LIMIT', refusal);
  return Object.freeze({
    host: s.STEPLOG_HOST,
    port: s.STEPLOG_PORT,
    dataDir: path.resolve(s.STEPLOG_DATA_DIR),
    databaseUrl: s.STEPLOG_DATABASE_URL ?? null,
    amqpUrl: s.STEPLOG_AMQP_URL ?? null,
    clickhouseUrls: s.STEPLOG_CLICKHOUSE_URL ?? null,
    clickhouseCluster: s.STEPLOG_CLICKHOUSE_CLUSTER ?? null,
    clickhouseTimeoutMs: s.STEPLOG_CLICKHOUSE_TIMEOUT,
    flushIntervalMs: s.STEPLOG_FLUSH_INTERVAL,
    batchSize: s.STEPLOG_BATCH_SIZE,
    maxEventsPerRequest: s.STEPLOG_MAX_EVENTS_PER_REQUEST,
    bodyLimitBytes: s.STEPLOG_BODY_LIMIT,
    memoryLimitBytes: s.STEPLOG_MEMORY_LIMIT,
    logLevel: s.STEPLOG_LOG_LEVEL,
    logFormat: s.STEPLOG_LOG_FORMAT,
    serverUrl: s.STEPLOG_URL ?? `http://127.0.0.1:${s.STEPLOG_PORT}`,
    serverUrlGiven: s.STEPLOG_URL !== undefined,
    maxBacklog: s.STEPLOG_MAX_BACKLOG,
    sessionTtlMs: s.STEPLOG_SESSION_TTL,
    shutdownTimeoutMs: s.STEPLOG_SHUTDOWN_TIMEOUT,
    cookieSecure: s.STEPLOG_COOKIE_SECURE === 'true',
    sqlMaxRows: s.STEPLOG_SQL_MAX_ROWS,
    apiKey: s.STEPLOG_API_KEY ?? null,
    retentionMs: s.STEPLOG_RETENTION ?? null,
    mutationTimeoutMs: s.STEPLOG_MUTATION_TIMEOUT,
    dedupWindowMs: s.STEPLOG_DEDUP_WINDOW,
    sqlLimits: {
      maxExecutionSeconds: Math.max(1, Math.round(s.STEPLOG_SQL_MAX_EXECUTION_TIME / 1000)),
      maxMemoryBytes: s.STEPLOG_SQL_MAX_MEMORY,
      maxRowsToRead: s.STEPLOG_SQL_MAX_ROWS_TO_READ,
    },
    limits: {
      loginPerIp: { max: s.STEPLOG_LOGIN_MAX_PER_IP, windowMs: s.STEPLOG_LOGIN_WINDOW },
      loginPerUsername: { max: s.STEPLOG_LOGIN_MAX_PER_USERNAME, windowMs: s.STEPLOG_LOGIN_WINDOW },
      answerCheck: { max: s.STEPLOG_CHECK_MAX, windowMs: s.STEPLOG_CHECK_WINDOW },
    },
  });
}
