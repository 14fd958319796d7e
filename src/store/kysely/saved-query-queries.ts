import type { Kysely } from 'kysely';
import type { SavedQueries, SavedQuery } from '../saved-queries.ts';
import type { Database } from './database.ts';
import { toSavedQuery } from './rows.ts';

export class KyselySavedQueries implements SavedQueries {
  constructor(private readonly db: Kysely<Database>) {}

  async list(): Promise<SavedQuery[]> {
    const rows = await this.db.selectFrom('saved_queries').selectAll().orderBy('name').execute();
    return rows.map(toSavedQuery);
  }

  async save(name: string, text: string): Promise<SavedQuery> {
    const row = await this.db
      .insertInto('saved_queries')
      .values({ name, sql: text, updated_at: Date.now() })
      .onConflict((oc) => oc.column('name').doUpdateSet({ sql: text, updated_at: Date.now() }))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSavedQuery(row);
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('saved_queries').where('id', '=', id).execute();
  }
}
