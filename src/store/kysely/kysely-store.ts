import { sql, type Kysely, type Selectable } from 'kysely';
import type { ActionId, NewEvent, StoredEvent, Task, User } from '../../events/event.ts';
import {
  ConflictError,
  type AppendResult,
  type ImportJob,
  type ImportStatus,
  type ImportTrigger,
  type OltpStore,
  type PageRequest,
  StoreUnavailableError,
  type Admin,
  type MinuteCount,
  type SavedQuery,
  type TaskDraft,
} from '../store.ts';
import type { UserErasureStore } from '../user-erasure.ts';
import type { RetentionStore } from '../retention.ts';
import type { ApiKeyStore } from '../api-keys.ts';
import { KyselyUserErasure } from './user-erasure-queries.ts';
import { KyselyRetention } from './retention-queries.ts';
import { KyselyApiKeys } from './api-key-queries.ts';
import { chunks } from './chunks.ts';
import type { Database } from './database.ts';

const IDS_PER_STATEMENT = 20_000;

/**
 * The store's queries, written once with Kysely for every SQL dialect. A dialect adapter
 * (sqlite/, postgres/) supplies the Kysely instance and its migrations.
 */
export abstract class KyselyStore implements OltpStore {
  readonly apiKeys: ApiKeyStore;
  readonly userErasure: UserErasureStore;
  readonly retention: RetentionStore;

  /** The database, for adapters that keep their tables in it (the outbox). */
  protected constructor(readonly db: Kysely<Database>) {
    this.apiKeys = new KyselyApiKeys(db);
    this.userErasure = new KyselyUserErasure(db);
    this.retention = new KyselyRetention(db);
  }

  abstract migrate(): Promise<void>;

  /**
   * Inserts new events and one outbox entry for each, inside the caller's transaction: the ingest
   * hot path, which each dialect writes in its fastest form.
   */
  protected abstract insertEvents(
    trx: Kysely<Database>,
    events: readonly NewEvent[],
    receivedAt: number,
  ): Promise<StoredEvent[]>;

  /** Whether a driver error is a unique-key violation. */
  protected abstract isUniqueViolation(error: unknown): boolean;
  /** Whether a driver error means the storage cannot write now (full, read-only, I/O error). */
  protected abstract isUnavailable(error: unknown): boolean;

  async close(): Promise<void> {
    await this.db.destroy();
  }

  async createUser(user: Omit<User, 'id'> & { id?: number | undefined }): Promise<User> {
    return this.write(() => this.insertUser(user));
  }

  private async insertUser(user: Omit<User, 'id'> & { id?: number | undefined }): Promise<User> {
    try {
      const row = await this.db
        .insertInto('users')
        .values({
          ...(user.id === undefined ? {} : { id: user.id }),
          join_date: user.joinDate,
          registration_date: user.registrationDate,
          name: user.name,
          email: user.email,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toUser(row);
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new ConflictError('id', `user ${user.id} already exists`);
      throw error;
    }
  }

  async getUser(id: number): Promise<User | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  async getUsers(ids: readonly number[]): Promise<Map<number, User>> {
    const users = new Map<number, User>();
    for (const part of chunks([...new Set(ids)], IDS_PER_STATEMENT)) {
      const rows = await this.db.selectFrom('users').selectAll().where('id', 'in', part).execute();
      for (const row of rows) users.set(row.id, toUser(row));
    }
    return users;
  }

  async listUsers(page: PageRequest): Promise<User[]> {
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '>', page.after)
      .orderBy('id')
      .limit(page.limit)
      .execute();
    return rows.map(toUser);
  }

  async createTask(task: TaskDraft): Promise<Task> {
    return this.write(() => this.insertTask(task));
  }

  private async insertTask(task: TaskDraft): Promise<Task> {
    try {
      return await this.db
        .insertInto('tasks')
        .values({
          ...(task.id === undefined ? {} : { id: task.id }),
          title: task.title,
          text: task.text,
          answer: task.answer ?? '',
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new ConflictError('id', `task ${task.id} already exists`);
      throw error;
    }
  }

  async getTask(id: number): Promise<Task | undefined> {
    return this.db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listTasks(page: PageRequest): Promise<Task[]> {
    return this.db
      .selectFrom('tasks')
      .selectAll()
      .where('id', '>', page.after)
      .orderBy('id')
      .limit(page.limit)
      .execute();
  }

  async appendEvents(events: readonly NewEvent[]): Promise<AppendResult[]> {
    if (events.length === 0) return [];
    return this.write(() => this.appendInTransaction(events));
  }

  private appendInTransaction(events: readonly NewEvent[]): Promise<AppendResult[]> {
    return this.db.transaction().execute(async (trx) => {
      const users = await this.existing(
        trx,
        'users',
        events.map((e) => e.userId),
      );
      const tasks = await this.existing(
        trx,
        'tasks',
        events.map((e) => e.stepId),
      );
      const stored = new Map<string, StoredEvent>();
      const clientIds = new Set(events.filter((e) => !e.minted).map((e) => e.eventId));
      for (const part of chunks([...clientIds], IDS_PER_STATEMENT)) {
        const rows = await trx.selectFrom('events').selectAll().where('event_id', 'in', part).execute();
        for (const row of rows) stored.set(row.event_id, toEvent(row));
      }

      const receivedAt = Date.now();
      const fresh: NewEvent[] = [];
      const freshIds = new Set<string>();
      for (const e of events) {
        if (users.has(e.userId) && tasks.has(e.stepId) && !stored.has(e.eventId) && !freshIds.has(e.eventId)) {
          fresh.push(e);
          freshIds.add(e.eventId);
        }
      }
      const inserted = new Map<string, StoredEvent>();
      for (const event of await this.insertEvents(trx, fresh, receivedAt)) inserted.set(event.eventId, event);

      const answered = new Set<string>();
      return events.map((e): AppendResult => {
        if (!users.has(e.userId)) return { ok: false, field: 'user_id', message: `user_id ${e.userId}: no such user` };
        if (!tasks.has(e.stepId)) return { ok: false, field: 'step_id', message: `step_id ${e.stepId}: no such task` };
        const earlier = stored.get(e.eventId);
        if (earlier) return { ok: true, event: earlier, duplicate: true };
        const duplicate = answered.has(e.eventId);
        answered.add(e.eventId);
        return { ok: true, event: inserted.get(e.eventId)!, duplicate };
      });
    });
  }

  /**
   * Which of these user or task ids exist, asked inside the commit's transaction: a task deleted a
   * moment ago (or by another process) is refused as unknown, never left to fail the whole group
   * commit on its foreign key. One query per distinct-id list and table per commit.
   */
  private async existing(db: Kysely<Database>, table: 'users' | 'tasks', ids: readonly number[]): Promise<Set<number>> {
    const found = new Set<number>();
    for (const part of chunks([...new Set(ids)], IDS_PER_STATEMENT)) {
      const rows = await db.selectFrom(table).select('id').where('id', 'in', part).execute();
      for (const row of rows) found.add(row.id);
    }
    return found;
  }

  async startImportJob(trigger: ImportTrigger): Promise<ImportJob> {
    const row = await this.db
      .insertInto('import_jobs')
      .values({
        trigger,
        started_at: Date.now(),
        status: 'running',
        rows: 0,
        batches: 0,
        reconciled: 0,
        dead_lettered: 0,
        error: null,
        finished_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toImportJob(row);
  }

  async saveImportJob(job: ImportJob): Promise<ImportJob> {
    const row = await this.db
      .updateTable('import_jobs')
      .set({
        finished_at: job.finishedAt,
        status: job.status,
        rows: job.rows,
        batches: job.batches,
        reconciled: job.reconciled,
        dead_lettered: job.deadLettered,
        error: job.error,
      })
      .where('id', '=', job.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toImportJob(row);
  }

  async listImportJobs(limit: number): Promise<ImportJob[]> {
    const rows = await this.db.selectFrom('import_jobs').selectAll().orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toImportJob);
  }

  async receivedPerMinute(since: number): Promise<MinuteCount[]> {
    const minute = sql<number>`(received_at / 60000) * 60000`;
    const rows = await this.db
      .selectFrom('events')
      .select([minute.as('minute'), (eb) => eb.fn.countAll<number>().as('events')])
      .where('received_at', '>=', since)
      .groupBy(minute)
      .orderBy(minute)
      .execute();
    return rows.map((row) => ({ minute: Number(row.minute), events: Number(row.events) }));
  }

  // The web admin.

  async searchUsers(text: string, page: PageRequest): Promise<User[]> {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '>', page.after)
      .where((eb) =>
        eb.or([
          eb(sql`lower(name)`, 'like', sql`lower(${pattern}) escape '\\'`),
          eb(sql`lower(email)`, 'like', sql`lower(${pattern}) escape '\\'`),
        ]),
      )
      .orderBy('id')
      .limit(page.limit)
      .execute();
    return rows.map(toUser);
  }

  async updateUser(user: User): Promise<User | undefined> {
    const row = await this.db
      .updateTable('users')
      .set({
        name: user.name,
        email: user.email,
        join_date: user.joinDate,
        registration_date: user.registrationDate,
      })
      .where('id', '=', user.id)
      .returningAll()
      .executeTakeFirst();
    return row && toUser(row);
  }

  async updateTask(task: Task): Promise<Task | undefined> {
    return this.db
      .updateTable('tasks')
      .set({ title: task.title, text: task.text, answer: task.answer })
      .where('id', '=', task.id)
      .returningAll()
      .executeTakeFirst();
  }

  async deleteTask(id: number): Promise<boolean> {
    const used = await this.db.selectFrom('events').select('id').where('step_id', '=', id).limit(1).executeTakeFirst();
    if (used) throw new ConflictError('id', `task ${id} has events; it can be edited but not deleted`);
    const result = await this.db.deleteFrom('tasks').where('id', '=', id).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }

  async createAdmin(username: string, passwordHash: string): Promise<Admin> {
    try {
      return await this.db
        .insertInto('admins')
        .values({ username, password_hash: passwordHash, created_at: Date.now() })
        .returning(['id', 'username'])
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (this.isUniqueViolation(error)) throw new ConflictError('username', `admin ${username} already exists`);
      throw error;
    }
  }

  async findAdmin(username: string): Promise<(Admin & { readonly passwordHash: string }) | undefined> {
    const row = await this.db
      .selectFrom('admins')
      .select(['id', 'username', 'password_hash'])
      .where('username', '=', username)
      .executeTakeFirst();
    return row && { id: row.id, username: row.username, passwordHash: row.password_hash };
  }

  async createSession(tokenHash: string, adminId: number, expiresAt: number): Promise<void> {
    await this.db.deleteFrom('admin_sessions').where('expires_at', '<', Date.now()).execute();
    await this.db
      .insertInto('admin_sessions')
      .values({ token_hash: tokenHash, admin_id: adminId, expires_at: expiresAt })
      .execute();
  }

  async sessionAdmin(tokenHash: string, now: number): Promise<Admin | undefined> {
    return this.db
      .selectFrom('admin_sessions')
      .innerJoin('admins', 'admins.id', 'admin_sessions.admin_id')
      .select(['admins.id', 'admins.username'])
      .where('admin_sessions.token_hash', '=', tokenHash)
      .where('admin_sessions.expires_at', '>', now)
      .executeTakeFirst();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('admin_sessions').where('token_hash', '=', tokenHash).execute();
  }

  async listSavedQueries(): Promise<SavedQuery[]> {
    const rows = await this.db.selectFrom('saved_queries').selectAll().orderBy('name').execute();
    return rows.map(toSavedQuery);
  }

  async saveQuery(name: string, text: string): Promise<SavedQuery> {
    const row = await this.db
      .insertInto('saved_queries')
      .values({ name, sql: text, updated_at: Date.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ sql: text, updated_at: Date.now() }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSavedQuery(row);
  }

  async deleteSavedQuery(id: number): Promise<void> {
    await this.db.deleteFrom('saved_queries').where('id', '=', id).execute();
  }

  async failInterruptedImportJobs(error: string): Promise<number> {
    const result = await this.db
      .updateTable('import_jobs')
      .set({ status: 'failed', error })
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Runs a write; a storage failure becomes StoreUnavailableError (the transaction rolled back). */
  private async write<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (!this.isUnavailable(error)) throw error;
      throw new StoreUnavailableError(`the store cannot write: ${(error as Error).message}`, { cause: error });
    }
  }
}

const toUser = (row: Selectable<Database['users']>): User => ({
  id: row.id,
  joinDate: row.join_date,
  registrationDate: row.registration_date,
  name: row.name,
  email: row.email,
});

export const toEvent = (row: Selectable<Database['events']>): StoredEvent => ({
  id: row.id,
  eventId: row.event_id,
  time: row.time,
  actionId: row.action_id as ActionId,
  stepId: row.step_id,
  userId: row.user_id,
  receivedAt: row.received_at,
});

const toImportJob = (row: Selectable<Database['import_jobs']>): ImportJob => ({
  id: row.id,
  trigger: row.trigger as ImportTrigger,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  status: row.status as ImportStatus,
  rows: row.rows,
  batches: row.batches,
  reconciled: row.reconciled,
  deadLettered: row.dead_lettered,
  error: row.error,
});

const toSavedQuery = (row: Selectable<Database['saved_queries']>): SavedQuery => ({
  id: row.id,
  name: row.name,
  sql: row.sql,
  updatedAt: row.updated_at,
});
