import { sql, type Kysely, type Migration } from 'kysely';
import { MAX_UINT32 } from '../../events/limits.ts';

/**
 * SQLite schema, in order. Times are INTEGER epoch ms. The events table keeps SQLite's rowid as
 * the server sequence (inserts append to the end of the B-tree); event_id has a unique index for
 * idempotency, which is where random client UUIDs cost insert speed — server-made ids are UUIDv7.
 */
export const sqliteMigrations: Record<string, Migration> = {
  '0001_initial': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('join_date', 'integer', (c) => c.notNull())
        .addColumn('registration_date', 'integer')
        .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) <= 200`))
        .addColumn('email', 'text', (c) => c.notNull().check(sql`length(email) <= 200`))
        .execute();
      await db.schema
        .createTable('tasks')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('events')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('time', 'integer', (c) => c.notNull())
        .addColumn('action_id', 'integer', (c) => c.notNull().check(sql`action_id between 0 and 2`))
        .addColumn('step_id', 'integer', (c) => c.notNull().references('tasks.id'))
        .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
        .addColumn('received_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('outbox')
        .addColumn('event_pk', 'integer', (c) => c.primaryKey().references('events.id'))
        .addColumn('in_doubt', 'integer', (c) => c.notNull().defaultTo(0))
        .execute();
      await db.schema
        .createTable('import_jobs')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('trigger', 'text', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('finished_at', 'integer')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('rows', 'integer', (c) => c.notNull())
        .addColumn('batches', 'integer', (c) => c.notNull())
        .addColumn('reconciled', 'integer', (c) => c.notNull())
        .addColumn('error', 'text')
        .execute();
    },
  },
  '0002_web': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('tasks')
        .addColumn('answer', 'text', (c) => c.notNull().defaultTo(''))
        .execute();
      await db.schema
        .createTable('admins')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      // Only a hash of the session token is stored: a copy of the database cannot log anyone in.
      await db.schema
        .createTable('admin_sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('admin_id', 'integer', (c) => c.notNull().references('admins.id').onDelete('cascade'))
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('saved_queries')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull().unique())
        .addColumn('sql', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'integer', (c) => c.notNull())
        .execute();
      const part4 =
        'SELECT toDate(time) AS day, name, action_id, count() AS events FROM steplog.events GROUP BY day, name, action_id ORDER BY day';
      await sql`INSERT INTO saved_queries (name, sql, updated_at)
        VALUES ('Seed Part 4: events per day, user and action', ${part4}, ${Date.now()})`.execute(db);
    },
  },
  '0003_server_ids_and_dead_letters': {
    // Ids are the server's: AUTOINCREMENT never hands out an id again, not even a deleted task's,
    // and the CHECK stops the sequence at UInt32 (the warehouse's type) instead of passing it.
    // SQLite cannot add AUTOINCREMENT to a table, so both are rebuilt the way SQLite documents
    // (foreign keys off, one transaction, foreign_key_check before the commit): Kysely runs SQLite
    // migrations without a transaction, and a crash must not leave half a rebuild.
    up: (db: Kysely<unknown>) =>
      withoutForeignKeys(db, async (db) => {
        await sql`CREATE TABLE users_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id BETWEEN 1 AND ${sql.lit(MAX_UINT32)}),
        join_date INTEGER NOT NULL,
        registration_date INTEGER,
        name TEXT NOT NULL CHECK (length(name) <= 200),
        email TEXT NOT NULL CHECK (length(email) <= 200))`.execute(db);
        await sql`INSERT INTO users_new SELECT id, join_date, registration_date, name, email FROM users`.execute(db);
        await sql`CREATE TABLE tasks_new (
        id INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id BETWEEN 1 AND ${sql.lit(MAX_UINT32)}),
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        answer TEXT NOT NULL DEFAULT '')`.execute(db);
        await sql`INSERT INTO tasks_new SELECT id, title, text, answer FROM tasks`.execute(db);
        await sql`DROP TABLE users`.execute(db);
        await sql`DROP TABLE tasks`.execute(db);
        await sql`ALTER TABLE users_new RENAME TO users`.execute(db);
        await sql`ALTER TABLE tasks_new RENAME TO tasks`.execute(db);

        // A delivery batch is recorded when it is formed, with the token its inserts carry: after a
        // crash it is re-formed from these rows exactly, whatever the batch size is now.
        await db.schema
          .createTable('outbox_batches')
          .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
          .addColumn('token', 'text', (c) => c.notNull())
          .addColumn('formed_at', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .alterTable('outbox')
          .addColumn('batch_id', 'integer', (c) => c.references('outbox_batches.id'))
          .execute();
        await sql`CREATE INDEX outbox_by_batch ON outbox (batch_id) WHERE batch_id IS NOT NULL`.execute(db);
        // Rows the previous loader marked in doubt form one batch, with the token it gave them.
        await sql`INSERT INTO outbox_batches (token, formed_at)
        SELECT 'steplog:' || min(event_pk) || ':' || max(event_pk) || ':' || count(*), ${Date.now()}
        FROM outbox WHERE in_doubt = 1 HAVING count(*) > 0`.execute(db);
        await sql`UPDATE outbox SET batch_id = (SELECT max(id) FROM outbox_batches) WHERE in_doubt = 1`.execute(db);
        await db.schema.alterTable('outbox').dropColumn('in_doubt').execute();

        // Events the warehouse refused for good, with its answer, out of the way of the others.
        await db.schema
          .createTable('dead_letters')
          .addColumn('event_pk', 'integer', (c) => c.primaryKey().references('events.id'))
          .addColumn('error', 'text', (c) => c.notNull())
          .addColumn('token', 'text', (c) => c.notNull())
          .addColumn('failed_at', 'integer', (c) => c.notNull())
          .addColumn('job_id', 'integer', (c) => c.notNull())
          .execute();
        await db.schema
          .alterTable('import_jobs')
          .addColumn('dead_lettered', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
      }),
  },
  '0004_api_keys': {
    async up(db: Kysely<unknown>) {
      // Only the SHA-256 of a key is stored; `prefix` tells keys apart in `steplog keys list`.
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('scope', 'text', (c) => c.notNull().check(sql`scope in ('ingest', 'read', 'admin')`))
        .addColumn('key_hash', 'text', (c) => c.notNull().unique())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('revoked_at', 'integer')
        .execute();
    },
  },
  '0005_metrics_scope': {
    // SQLite cannot change a CHECK constraint: the table is rebuilt with `metrics` among the scopes.
    up: (db: Kysely<unknown>) =>
      withoutForeignKeys(db, async (db) => {
        await sql`CREATE TABLE api_keys_new (
          id integer PRIMARY KEY,
          name text NOT NULL,
          scope text NOT NULL CHECK (scope in ('ingest', 'read', 'metrics', 'admin')),
          key_hash text NOT NULL UNIQUE,
          prefix text NOT NULL,
          created_at integer NOT NULL,
          revoked_at integer
        )`.execute(db);
        await sql`INSERT INTO api_keys_new SELECT id, name, scope, key_hash, prefix, created_at, revoked_at FROM api_keys`.execute(
          db,
        );
        await sql`DROP TABLE api_keys`.execute(db);
        await sql`ALTER TABLE api_keys_new RENAME TO api_keys`.execute(db);
      }),
  },
  '0006_import_jobs_finished_at': {
    async up(db: Kysely<unknown>) {
      // The ingest chart reads the jobs that finished in the last hour, however many there were.
      await db.schema.createIndex('import_jobs_finished_at').on('import_jobs').column('finished_at').execute();
    },
  },
  '0007_outbox_published': {
    async up(db: Kysely<unknown>) {
      // Set when a relay has the batch confirmed by the broker (RabbitMQ transport); null otherwise.
      await db.schema.alterTable('outbox_batches').addColumn('published_at', 'integer').execute();
    },
  },
  '0008_site_events': {
    // Site events (the de-demo family) and their own outbox, batches and dead letters, shaped as
    // the learning ones so one transport serves both (src/queue/outbox/). Visitor and product ids
    // stay within 2^53 - 1, the integers JSON and SQLite both carry exactly.
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('site_events')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('event_id', 'text', (c) => c.notNull().unique())
        .addColumn('time', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('user_id', 'integer', (c) => c.notNull().check(sql`user_id >= 0`))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('obj', 'text', (c) => c.notNull())
        .addColumn('obj_id', 'text', (c) => c.notNull())
        .addColumn('product_id', 'integer', (c) => c.notNull().check(sql`product_id >= 0`))
        .addColumn('amount', 'real', (c) => c.notNull().check(sql`amount >= 0`))
        .addColumn('exp', 'text', (c) => c.notNull())
        .addColumn('received_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('site_outbox_batches')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('formed_at', 'integer', (c) => c.notNull())
        .addColumn('published_at', 'integer')
        .execute();
      await db.schema
        .createTable('site_outbox')
        .addColumn('event_pk', 'integer', (c) => c.primaryKey().references('site_events.id'))
        .addColumn('batch_id', 'integer', (c) => c.references('site_outbox_batches.id'))
        .execute();
      await sql`CREATE INDEX site_outbox_by_batch ON site_outbox (batch_id) WHERE batch_id IS NOT NULL`.execute(db);
      await db.schema
        .createTable('site_dead_letters')
        .addColumn('event_pk', 'integer', (c) => c.primaryKey().references('site_events.id'))
        .addColumn('error', 'text', (c) => c.notNull())
        .addColumn('token', 'text', (c) => c.notNull())
        .addColumn('failed_at', 'integer', (c) => c.notNull())
        .addColumn('job_id', 'integer', (c) => c.notNull())
        .execute();
    },
  },
  '0009_outbox_batch_leases': {
    // Who loads a formed batch, until when: another loader takes it only once the lease expired.
    async up(db: Kysely<unknown>) {
      for (const table of ['outbox_batches', 'site_outbox_batches']) {
        await db.schema.alterTable(table).addColumn('leased_by', 'text').execute();
        await db.schema.alterTable(table).addColumn('lease_expires_at', 'integer').execute();
      }
    },
  },
  '0010_users_version': {
    // A counter every change to a user row bumps, in the writer's transaction: a loader caching
    // users across batches (src/loader/user-cache.ts) drops its cache when it moved, whichever
    // process made the change. New users need no bump: they are in no cache yet.
    async up(db: Kysely<unknown>) {
      await sql`CREATE TABLE users_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)`.execute(
        db,
      );
      await sql`INSERT INTO users_version (id, version) VALUES (1, 0)`.execute(db);
      for (const change of ['UPDATE', 'DELETE']) {
        await sql`CREATE TRIGGER ${sql.id(`users_${change.toLowerCase()}_bumps_version`)} AFTER ${sql.raw(change)} ON users
          BEGIN UPDATE users_version SET version = version + 1; END`.execute(db);
      }
    },
  },
  '0011_import_job_heartbeats': {
    // Who runs a job, and when it last said so: with loaders in several processes, a job whose
    // owner stopped beating was cut off by its process's death, and any process may fail it.
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('import_jobs').addColumn('owner', 'text').execute();
      await db.schema.alterTable('import_jobs').addColumn('heartbeat_at', 'integer').execute();
    },
  },
};

/** Runs `rebuild` in one transaction with foreign keys off (PRAGMA foreign_keys cannot change inside one). */
async function withoutForeignKeys(db: Kysely<unknown>, rebuild: (trx: Kysely<unknown>) => Promise<void>) {
  await sql`PRAGMA foreign_keys = OFF`.execute(db);
  try {
    await db.transaction().execute(async (trx) => {
      await rebuild(trx);
      const { rows } = await sql`PRAGMA foreign_key_check`.execute(trx);
      if (rows.length > 0) throw new Error(`the rebuild broke foreign keys: ${JSON.stringify(rows.slice(0, 5))}`);
    });
  } finally {
    await sql`PRAGMA foreign_keys = ON`.execute(db);
  }
}
