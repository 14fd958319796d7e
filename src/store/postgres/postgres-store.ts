import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { NewEvent, StoredEvent } from '../../events/event.ts';
import type { Database } from '../kysely/database.ts';
import { KyselyStore } from '../kysely/kysely-store.ts';
import type { SqlDialect } from '../kysely/sql-dialect.ts';
import { postgresMigrations } from './migrations.ts';
import { isUnavailable, isUniqueViolation } from './postgres-errors.ts';
import { unavailableAware } from './unavailable-pool.ts';

const INT8_OID = 20;

/**
 * bigint columns (ids up to UInt32, epoch-ms times, counts) come back as JS numbers: every value
 * steplog stores is below 2^53. Set on this pool only, not on the pg module for the whole process.
 */
const builtinParser = pg.types.getTypeParser as (oid: number, format?: 'text' | 'binary') => (value: string) => unknown;
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => (oid === INT8_OID ? Number : builtinParser(oid, format)),
};

/**
 * The production OLTP store: PostgreSQL through Kysely's dialect on a `pg` pool.
 * `synchronous_commit=on` on every connection whatever the server's default: a commit is on the
 * server's disk before the API answers 2xx.
 */
export function openPostgresStore(connectionString: string, options: { maxConnections?: number } = {}): KyselyStore {
  const pool = new pg.Pool({
    connectionString,
    types,
    max: options.maxConnections ?? 10,
    options: '-c synchronous_commit=on',
    connectionTimeoutMillis: 5_000,
  });
  // An idle connection the server dropped (restart) is replaced on the next checkout; without a
  // listener the pool's 'error' event would end the process.
  pool.on('error', () => undefined);
  // A connection checked out when the server goes away (a crash) reports it by an 'error' event
  // between two queries; unheard, that event ends the process too. Its next query fails (a 503)
  // and the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: unavailableAware(pool) }) });
  return new KyselyStore(db, postgresDialect, postgresMigrations);
}

const postgresDialect: SqlDialect = {
  capabilities: { skipLocked: true },
  // An advisory transaction lock; READ COMMITTED gives each later statement a snapshot taken after it.
  async lockUntilCommit(trx, name) {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${name}, 0))`.execute(trx);
  },
  backup: {
    refusal:
      'steplog backs up only the embedded SQLite store: back up PostgreSQL with its own tools ' +
      '(pg_dump --format=custom, or pg_basebackup with WAL archiving for a point in time)',
  },
  /**
   * One statement per commit whatever its size: the events from arrays (`unnest`, no bound on
   * parameters). An event_id another process committed meanwhile is skipped (ON CONFLICT); the
   * event log answers it with the stored event.
   */
  async insertEvents(trx: Kysely<Database>, events: readonly NewEvent[], receivedAt: number): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const column = <T>(pick: (e: NewEvent) => T) => events.map(pick);
    const { rows } = await sql<{ id: number; event_id: string }>`
      INSERT INTO events (event_id, time, action_id, step_id, user_id, received_at)
      SELECT event_id, time, action_id, step_id, user_id, ${receivedAt}::bigint
      FROM unnest(${column((e) => e.eventId)}::text[], ${column((e) => e.time)}::bigint[],
                  ${column((e) => e.actionId)}::smallint[], ${column((e) => e.stepId)}::bigint[],
                  ${column((e) => e.userId)}::bigint[]) AS t(event_id, time, action_id, step_id, user_id)
      ON CONFLICT (event_id) DO NOTHING
      RETURNING id, event_id`.execute(trx);
    const ids = new Map(rows.map((row) => [row.event_id, row.id]));
    return events
      .filter((e) => ids.has(e.eventId))
      .map(({ eventId, time, actionId, stepId, userId }) => ({
        id: ids.get(eventId)!,
        eventId,
        time,
        actionId,
        stepId,
        userId,
        receivedAt,
      }));
  },
  isUniqueViolation,
  isUnavailable,
};
