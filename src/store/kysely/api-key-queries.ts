import type { Kysely, Selectable } from 'kysely';
import type { Scope } from '../../auth/api-key.ts';
import type { ApiKey, ApiKeyStore } from '../api-keys.ts';
import type { Database } from './database.ts';

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
  constructor(private readonly db: Kysely<Database>) {}

  async create(key: { name: string; scope: Scope; hash: string; prefix: string }): Promise<ApiKey> {
    const row = await this.db
      .insertInto('api_keys')
      .values({ name: key.name, scope: key.scope, key_hash: key.hash, prefix: key.prefix, created_at: Date.now() })
      .returning(COLUMNS)
      .executeTakeFirstOrThrow();
    return toKey(row);
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
