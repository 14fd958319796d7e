import crypto from 'node:crypto';
import pg from 'pg';
import { requireBinary } from './require-binary.ts';

/** The machine's shared PostgreSQL server (trust auth on loopback): tests only create and drop their own databases in it. */
const SHARED = { host: '127.0.0.1', port: 5432, user: 'postgres' } as const;
const TEST_DATABASE = /^steplog_test_[0-9a-f]{16}$/;

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  /** Drops the database (and every connection still open to it). */
  drop(): Promise<void>;
}

async function onMaintenanceDb<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ ...SHARED, database: 'postgres' });
  try {
    await client.connect();
  } catch (error) {
    requireBinary(['/usr/lib/postgresql/15/bin/postgres', '/usr/local/bin/postgres'], 'postgresql');
    throw new Error(`PostgreSQL does not answer on ${SHARED.host}:${SHARED.port} (start it with .ci/install-servers)`, {
      cause: error,
    });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new, empty database with a random test name on the shared server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `steplog_test_${crypto.randomBytes(8).toString('hex')}`;
  await onMaintenanceDb((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: `postgres://${SHARED.user}@${SHARED.host}:${SHARED.port}/${name}`,
    async drop() {
      // Refuses any name it did not make: a mistake here must never drop someone else's database.
      if (!TEST_DATABASE.test(name)) throw new Error(`refusing to drop ${name}: not a test database`);
      await onMaintenanceDb((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
