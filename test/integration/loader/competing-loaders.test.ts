import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredCopies } from '../../../src/analytics/delivery.ts';
import { Loader } from '../../../src/loader/loader.ts';
import { OutboxTransport } from '../../../src/queue/outbox/outbox-transport.ts';
import type { KyselyStore } from '../../../src/store/kysely/kysely-store.ts';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { ChdbWarehouse } from '../../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WarehouseMigrator } from '../../../src/warehouse/migrator.ts';
import { generateEvents } from '../../helpers/fixtures.ts';
import { tempDataDir } from '../../helpers/server.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';

let database: TestDatabase;
let warehouse: ChdbWarehouse;
const stores: KyselyStore[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  warehouse = ChdbWarehouse.open(path.join(tempDataDir(), 'clickhouse'));
  await new WarehouseMigrator(warehouse).up();
});
afterAll(async () => {
  for (const store of stores) await store.close();
  await warehouse?.close();
  await database?.drop();
});

describe('competing loaders on the PostgreSQL outbox', () => {
  it('three loaders with their own connections drain one outbox together, each event inserted once', async () => {
    const open = () => {
      const store = openPostgresStore(database.url);
      stores.push(store);
      return store;
    };
    const store = open();
    await store.migrate();
    for (let i = 0; i < 20; i++)
      await store.catalog.createUser({ name: `u${i}`, email: '', joinDate: 0, registrationDate: null });
    for (let i = 0; i < 5; i++) await store.catalog.createTask({ title: `t${i}`, text: '' });
    const events = generateEvents(6_000, 20, 5, 7);
    await store.eventLog.appendEvents(events, new OutboxTransport(store).enqueue);

    const loaders = [open(), open(), open()].map(
      (own) =>
        new Loader(new OutboxTransport(own), own.catalog, own.importJobs, warehouse, {
          batchSize: 250,
          log: pino({ level: 'silent' }),
        }),
    );
    const jobs = await Promise.all(loaders.map((loader) => loader.run('manual')));
    expect(jobs.map((j) => j.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    // Each event was formed into exactly one batch by exactly one loader.
    expect(jobs.reduce((n, j) => n + j.rows + j.reconciled, 0)).toBe(6_000);
    expect(jobs.filter((j) => j.rows > 0).length).toBeGreaterThan(1);

    const copies = await deliveredCopies(
      warehouse,
      events.map((e) => e.eventId),
    );
    expect(copies).toHaveLength(6_000);
    expect(copies.filter((c) => c.rows !== 1 || c.copies !== 1)).toEqual([]);
    expect(await new OutboxTransport(store).backlog()).toEqual({ events: 0, oldestReceivedAt: null });
  });

  it("a live loader's formed batch is left to it; once its lease ran out another loader loads it, once", async () => {
    const store = openPostgresStore(database.url);
    stores.push(store);
    const events = generateEvents(3_000, 20, 5, 8);
    await store.eventLog.appendEvents(events, new OutboxTransport(store).enqueue);
    const lease = { ms: 2_000 };
    // A loader that formed a batch of 1,000 and is inserting it (or died doing so): it settles nothing here.
    const first = new OutboxTransport(store, undefined, lease);
    await first.form((await first.receive(1_000))!);
    const loader = new Loader(
      new OutboxTransport(store, undefined, lease),
      store.catalog,
      store.importJobs,
      warehouse,
      {
        batchSize: 500,
        log: pino({ level: 'silent' }),
      },
    );
    const whileHeld = await loader.run('manual');
    expect(whileHeld).toMatchObject({ status: 'succeeded', rows: 2_000, reconciled: 0 });
    expect(await first.backlog()).toMatchObject({ events: 1_000 });

    first.close(); // it dies: its renewals stop
    await new Promise((resolve) => setTimeout(resolve, lease.ms + 100));
    const afterLease = await loader.run('manual');
    expect(afterLease).toMatchObject({ status: 'succeeded', rows: 1_000 });
    expect(await first.backlog()).toEqual({ events: 0, oldestReceivedAt: null });
    const copies = await deliveredCopies(
      warehouse,
      events.map((e) => e.eventId),
    );
    expect(copies.filter((c) => c.rows !== 1 || c.copies !== 1)).toEqual([]);
    expect(copies).toHaveLength(3_000);
  });
});
