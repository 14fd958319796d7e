import { afterAll } from 'vitest';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { jobHeartbeatContract } from '../../loader/job-heartbeat-contract.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';

const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const database of databases) await database.drop();
});

// Two processes on one PostgreSQL database: each store instance has its own pool and job owner.
jobHeartbeatContract('PostgreSQL', async () => {
  const database = await createTestDatabase();
  databases.push(database);
  const [a, b] = [openPostgresStore(database.url), openPostgresStore(database.url)];
  await a.migrate();
  return [a, b] as const;
});
