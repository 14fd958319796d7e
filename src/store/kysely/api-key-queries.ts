import { sql, type Kysely, type Selectable } from 'kysely';
import type { Scope } from '../../auth/api-key.ts';
import type { ApiKey, ApiKeyStore, NewApiKey } from '../api-keys.ts';
import type { Database } from './database.ts';
import type { SqlDialect } from './sql-dialect.ts';

const toKey = (row: Omit<Selectable<Database['api_keys']>, 'key_hash'>): ApiKey => ({
  id: row.id,
  name: row.name,
  scope: row.scope as Scope,
  prefix: row.prefix,
  createdAt: row.created_at,
  revokedAt: row.revoked_at,
});

const COLUMNS = ['id', 'name', 'scope', 'prefix', 'created_at', 'revoked_at'] as const;

export class KyselyApiKeys implements ApiKeyStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Pick<SqlDialect, 'lockUntilCommit'>,
  ) {}

  async create(key: NewApiKey): Promise<ApiKey> {
    return this.insert(this.db, key);
  }

  private async insert(db: Kysely<Database>, key: NewApiKey): Promise<ApiKey> {
    const row = await db
      .insertInto('api_keys')
      .values({ name: key.name, scope: key.scope, key_hash: key.hash, prefix: key.prefix, created_at: Date.now() })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toKey(row);
  }

  /**
   * Check and insert in one transaction under a lock (PostgreSQL); the first insert is conditional
   * on the table being empty, so on SQLite, where it takes the write lock, it is the check itself.
   */
  createFirst(keys: readonly NewApiKey[]): Promise<ApiKey[] | null> {
    const [first, ...rest] = keys;
    if (!first) return Promise.resolve([]);
    return this.db.transaction().execute(async (trx) => {
      await this.dialect.lockUntilCommit(trx, 'steplog:first-keys');
      const { rows } = await sql<Omit<Selectable<Database['api_keys']>, 'key_hash'>>`
        INSERT INTO api_keys (name, scope, key_hash, prefix, created_at)
        SELECT CAST(${first.name} AS text), CAST(${first.scope} AS text), CAST(${first.hash} AS text),
               CAST(${first.prefix} AS text), CAST(${Date.now()} AS bigint)
        WHERE NOT EXISTS (SELECT 1 FROM api_keys)
        RETURNING id, name, scope, prefix, created_at, revoked_at`.execute(trx);
      if (rows.length === 0) return null;
      const made = [toKey(rows[0]!)];
      for (const key of rest) made.push(await this.insert(trx, key));
      return made;
    });
  }

  async findLive(hash: string): Promise<ApiKey | undefined> {
    const row = await this.db
      .selectFrom('api_keys')
      .select(COLUMNS)
      .where('key_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return row && toKey(row);
  }

  async list(): Promise<ApiKey[]> {
    return (await this.db.selectFrom('api_keys').select(COLUMNS).orderBy('id').execute()).map(toKey);
  }

  async revoke(id: number, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('api_keys')
      .set({ revoked_at: now })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }
}
