import type { Kysely } from 'kysely';
import type { Admin, AdminAccounts } from '../admin-accounts.ts';
import { ConflictError } from '../errors.ts';
import type { Database } from './database.ts';
import type { SqlDialect } from './sql-dialect.ts';

export class KyselyAdminAccounts implements AdminAccounts {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {}

  async create(username: string, passwordHash: string): Promise<Admin> {
    try {
      return await this.db
        .insertInto('admins')
        .values({ username, password_hash: passwordHash, created_at: Date.now() })
        .returning(['id', 'username'])
        .executeTakeFirstOrThrow();
    } catch (error) {
      if (this.dialect.isUniqueViolation(error))
        throw new ConflictError('username', `admin ${username} already exists`);
      throw error;
    }
  }

  async find(username: string): Promise<(Admin & { readonly passwordHash: string }) | undefined> {
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
}
