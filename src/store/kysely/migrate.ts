import { Migrator, type Kysely, type Migration } from 'kysely';
import type { Database } from './database.ts';

/** Applies a dialect's pending migrations in order; throws the first failure. */
export async function migrateToLatest(db: Kysely<Database>, migrations: Record<string, Migration>): Promise<void> {
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
}
