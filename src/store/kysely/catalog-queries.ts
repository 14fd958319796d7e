import { sql, type Kysely } from 'kysely';
import type { Task, User } from '../../events/event.ts';
import type { Catalog, PageRequest, TaskDraft } from '../catalog.ts';
import { ConflictError } from '../errors.ts';
import { chunks } from './chunks.ts';
import type { Database } from './database.ts';
import { toUser } from './rows.ts';
import { guardedWrite, IDS_PER_STATEMENT, type SqlDialect } from './sql-dialect.ts';

export class KyselyCatalog implements Catalog {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async createUser(user: Omit<User, 'id'> & { id?: number | undefined }): Promise<User> {
    return guardedWrite(this.dialect, async () => {
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
        if (this.dialect.isUniqueViolation(error)) throw new ConflictError('id', `user ${user.id} already exists`);
        throw error;
      }
    });
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

  async usersVersion(): Promise<number> {
    const row = await this.db.selectFrom('users_version').select('version').executeTakeFirstOrThrow();
    return Number(row.version);
  }

  async createTask(task: TaskDraft): Promise<Task> {
    return guardedWrite(this.dialect, async () => {
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
        if (this.dialect.isUniqueViolation(error)) throw new ConflictError('id', `task ${task.id} already exists`);
        throw error;
      }
    });
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
}
