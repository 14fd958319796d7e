import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredCopies } from '../../../src/analytics/delivery.ts';
import { Loader } from '../../../src/loader/loader.ts';
import { BATCH_LEASE_MS, OutboxTransport } from '../../../src/queue/outbox/outbox-transport.ts';
import type { Transport } from '../../../src/queue/transport.ts';
import type { KyselyStore } from '../../../src/store/kysely/kysely-store.ts';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { ChdbWarehouse } from '../../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WarehouseMigrator } from '../../../src/warehouse/migrator.ts';
import type { Warehouse } from '../../../src/warehouse/warehouse.ts';
import { generateEvents } from '../../helpers/fixtures.ts';
import { tempDataDir } from '../../helpers/server.ts';
import { intercept } from '../../helpers/warehouse-wrappers.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';

/**
 * Batch leases on the PostgreSQL outbox, each loader with its own connection pool and lease owner:
 * a dead loader's batch is taken within about a lease, a live loader keeps its batch however long
 * its insert takes (its lease is renewed on a timer).
 */
const log = pino({ level: 'silent' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let database: TestDatabase;
let warehouse: ChdbWarehouse;
const stores: KyselyStore[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  warehouse = ChdbWarehouse.open(path.join(tempDataDir(), 'clickhouse'));
  await new WarehouseMigrator(warehouse).up();
  const store = open();
  await store.migrate();
  for (let i = 0; i < 10; i++)
    await store.catalog.createUser({ name: `u${i}`, email: '', joinDate: 0, registrationDate: null });
  for (let i = 0; i < 3; i++) await store.catalog.createTask({ title: `t${i}`, text: '' });
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await warehouse?.close();
  await database?.drop();
});

function open(): KyselyStore {
  const store = openPostgresStore(database.url);
  stores.push(store);
  return store;
}

/** The tokens each loader inserted, by loader name. */
const insertedBy = new Map<string, Set<string>>();
function recording(name: string, delayFirstMs = 0): { warehouse: Warehouse; inserting: Promise<void> } {
  const tokens = new Set<string>();
  insertedBy.set(name, tokens);
  let started: () => void = () => undefined;
  const inserting = new Promise<void>((resolve) => (started = resolve));
  let inserts = 0;
  return {
    inserting,
    warehouse: intercept(warehouse, {
      async insert(table, rows, token) {
        tokens.add(token!);
        started();
        if (inserts++ === 0) await sleep(delayFirstMs);
        await warehouse.insert(table, rows, token);
      },
    }),
  };
}
const loaderOn = (transport: Transport, into: Warehouse, store: KyselyStore) =>
  new Loader(transport, store.catalog, store.importJobs, into, { batchSize: 300, log });

describe('batch leases on the PostgreSQL outbox', () => {
  it('a live loader whose insert outlasts the lease keeps its batch: the other loader never inserts it', async () => {
    const [storeA, storeB] = [open(), open()];
    const events = generateEvents(900, 10, 3, 21);
    await storeA.eventLog.appendEvents(events, new OutboxTransport(storeA).enqueue);
    const lease = { ms: 1_000 };
    // A's first insert takes 3.5 leases.
    const a = recording('A', 3_500);
    const b = recording('B');
    const loaderA = loaderOn(new OutboxTransport(storeA, undefined, lease), a.warehouse, storeA);
    const loaderB = loaderOn(new OutboxTransport(storeB, undefined, lease), b.warehouse, storeB);
    const runA = loaderA.run('manual');
    await a.inserting;
    let finished = false;
    void runA.finally(() => (finished = true));
    // B loads again and again while A's insert lasts: what it may take is the rest, never A's batch.
    const jobsB = [];
    while (!finished) {
      jobsB.push(await loaderB.run('manual'));
      await sleep(100);
    }
    const jobA = await runA;
    jobsB.push(await loaderB.run('manual'));

    const shared = [...insertedBy.get('A')!].filter((token) => insertedBy.get('B')!.has(token));
    expect(shared, 'batches both loaders inserted').toEqual([]);
    expect(jobA).toMatchObject({ status: 'succeeded' });
    expect(jobsB.every((job) => job.status === 'succeeded')).toBe(true);
    expect(jobA.rows + jobsB.reduce((n, job) => n + job.rows, 0)).toBe(900);
    const copies = await deliveredCopies(
      warehouse,
      events.map((e) => e.eventId),
    );
    expect(copies).toHaveLength(900);
    expect(copies.filter((c) => c.rows !== 1 || c.copies !== 1)).toEqual([]);
  }, 60_000);

  it("a dead loader's batch (its renewals stopped) is taken by another within about one lease", async () => {
    const [storeA, storeB] = [open(), open()];
    const events = generateEvents(300, 10, 3, 22);
    await storeA.eventLog.appendEvents(events, new OutboxTransport(storeA).enqueue);
    // The production lease: A forms a batch of every event, then dies before inserting it.
    const dying = new OutboxTransport(storeA);
    await dying.form((await dying.receive(300))!);
    const formedAt = Date.now();
    dying.close();

    const loaderB = loaderOn(new OutboxTransport(storeB), warehouse, storeB);
    let job = await loaderB.run('manual');
    for (const deadline = formedAt + 20_000; job.rows === 0 && Date.now() < deadline;) {
      await sleep(250);
      job = await loaderB.run('manual');
    }
    const takenAfterMs = Date.now() - formedAt;
    console.info(`dead loader's batch taken after ${takenAfterMs} ms (lease ${BATCH_LEASE_MS} ms)`);
    expect(job).toMatchObject({ status: 'succeeded', rows: 300 });
    expect(takenAfterMs).toBeGreaterThanOrEqual(BATCH_LEASE_MS - 1_000);
    expect(takenAfterMs).toBeLessThan(20_000);
  }, 60_000);
});
