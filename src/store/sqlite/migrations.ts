import { sql, type Kysely, type Migration } from 'kysely';

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
  '0003_api_keys': {
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
};
