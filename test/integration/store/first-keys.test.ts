import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFirstKeys } from '../../../src/runtime/issue-keys.ts';
import type { KyselyStore } from '../../../src/store/kysely/kysely-store.ts';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { tempDataDir } from '../../helpers/server.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';

let database: TestDatabase;
let stores: KyselyStore[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  stores = [openPostgresStore(database.url), openPostgresStore(database.url)];
  await stores[0]!.migrate();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await database?.drop();
});

describe('first-start keys on PostgreSQL', () => {
  it('two api processes starting at once on an empty store make one admin and one ingest key between them', async () => {
    const [a, b] = stores as [KyselyStore, KyselyStore];
    for (let round = 0; round < 10; round++) {
      await a.db.deleteFrom('api_keys').execute();
      // Each process has its own pool and its own data dir (where it writes the keys file).
      const made = await Promise.all([
        createFirstKeys(a.apiKeys, tempDataDir()),
        createFirstKeys(b.apiKeys, tempDataDir()),
      ]);
      const keys = await a.apiKeys.list();
      expect(
        keys.map((k) => k.scope),
        `round ${round}: keys stored`,
      ).toEqual(['admin', 'ingest']);
      expect(
        made.filter((m) => m !== null),
        `round ${round}: processes that made keys`,
      ).toHaveLength(1);
      expect(made.find((m) => m !== null)!.keys.map((k) => k.id)).toEqual(keys.map((k) => k.id));
    }
    // Keys exist: a later start makes none.
    expect(await createFirstKeys(b.apiKeys, tempDataDir())).toBeNull();
  });
});
