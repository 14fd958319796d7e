import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventLoader, Loader } from '../../../src/loader/loader.ts';
import { siteFamily } from '../../../src/loader/site-denormalize.ts';
import { LoadScheduler } from '../../../src/loader/scheduler.ts';
import { eraseUser } from '../../../src/ops/erase-user.ts';
import { applyRetention } from '../../../src/ops/retention.ts';
import { siteOutbox } from '../../../src/queue/outbox/outbox-family.ts';
import { OutboxTransport } from '../../../src/queue/outbox/outbox-transport.ts';
import { openSqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';
import { ClickHouseServerWarehouse } from '../../../src/warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseMigrator } from '../../../src/warehouse/migrator.ts';
import { deleteRows, MutationTimeoutError } from '../../../src/warehouse/mutations.ts';
import { generateEvents } from '../../helpers/fixtures.ts';
import { generateSiteEvents } from '../../helpers/site-fixtures.ts';
import { tempDataDir } from '../../helpers/server.ts';
import { startClickHouse, type ClickHouseServer } from '../servers/clickhouse.ts';

const USERS = 5;
const STEPS = 3;
// 300 events over the ten days before 2026-10-05: September and October.
const events = generateEvents(300, USERS, STEPS, 7, Date.UTC(2026, 9, 5));
// 200 site events of visitors 0–4 over the same days: the erased id is a visitor too.
const siteEvents = generateSiteEvents(200, USERS, 11, Date.UTC(2026, 9, 5));

let server: ClickHouseServer;
let warehouse: ClickHouseServerWarehouse;
const store = openSqliteStore(path.join(tempDataDir(), 'steplog.sqlite'));
const transport = new OutboxTransport(store);
const siteTransport = new OutboxTransport(store, siteOutbox);

beforeAll(async () => {
  server = await startClickHouse();
  warehouse = await ClickHouseServerWarehouse.connect([server.url], { requestTimeoutMs: 60_000 });
  await new WarehouseMigrator(warehouse).up();
  await store.migrate();
  for (let id = 1; id <= USERS; id++) {
    await store.catalog.createUser({
      id,
      name: `u${id}`,
      email: `u${id}@example.com`,
      joinDate: 0,
      registrationDate: 0,
    });
  }
  for (let id = 1; id <= STEPS; id++) await store.catalog.createTask({ id, title: `step ${id}`, text: '' });
  await store.eventLog.appendEvents(events, transport.enqueue);
  await store.siteEventLog.appendEvents(siteEvents, siteTransport.enqueue);
}, 120_000);
afterAll(async () => {
  await store.close();
  await warehouse?.close();
  await server?.destroy();
});

const count = async (sql: string) => Number((await warehouse.query<{ n: string }>(sql))[0]!.n);

describe('erasure and retention on a ClickHouse server (Debian 18.16)', () => {
  it('erase a user and drop the months past the retention with the same SQL as on chDB', async () => {
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 500 });
    const scheduler = new LoadScheduler(loader, { flushIntervalMs: 3_600_000, batchSize: 500 });
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded' });
    const siteLoader = new EventLoader(siteTransport, siteFamily, store.importJobs, warehouse, { batchSize: 500 });
    expect(await siteLoader.run('manual')).toMatchObject({ status: 'succeeded' });
    const theirSite = siteEvents.filter((e) => e.userId === 1).length;
    expect(theirSite).toBeGreaterThan(0);
    const theirs = events.filter((e) => e.userId === 1).length;
    expect(theirs).toBeGreaterThan(0);

    const erasure = await eraseUser(
      { ...store, transport, siteTransport, warehouse, scheduler, mutationTimeoutMs: 60_000 },
      1,
    );
    expect(erasure.warehouseEvents).toBe(theirs);
    expect(await count('SELECT count() AS n FROM steplog.events WHERE user_id = 1')).toBe(0);
    expect(await count('SELECT count() AS n FROM steplog.events')).toBe(events.length - theirs);
    expect(erasure.siteEvents).toBe(theirSite);
    expect(await count('SELECT count() AS n FROM steplog.site_events WHERE user_id = 1')).toBe(0);
    expect(await count('SELECT count() AS n FROM steplog.site_event_deliveries')).toBe(siteEvents.length - theirSite);
    // The site aggregates were rebuilt without the visitor: their events no longer count.
    expect(await count('SELECT countMerge(event_states) AS n FROM steplog.site_daily')).toBe(
      siteEvents.length - theirSite,
    );

    const october = events.filter((e) => e.userId !== 1 && e.time >= Date.UTC(2026, 9, 1)).length;
    const run = await applyRetention(
      { retention: store.retention, warehouse, scheduler, mutationTimeoutMs: 60_000 },
      20 * 86_400_000,
      Date.UTC(2026, 9, 25),
    );
    expect(run).toMatchObject({ keptFrom: '2026-10-01', droppedMonths: ['202609'], siteDroppedMonths: ['202609'] });
    expect(await count('SELECT count() AS n FROM steplog.events')).toBe(october);
    expect(await count('SELECT count() AS n FROM steplog.event_deliveries')).toBe(october);
    const siteOctober = siteEvents.filter((e) => e.userId !== 1 && e.time >= Date.UTC(2026, 9, 1)).length;
    expect(await count('SELECT count() AS n FROM steplog.site_events')).toBe(siteOctober);
    expect(await count('SELECT countMerge(event_states) AS n FROM steplog.site_daily')).toBe(siteOctober);
  }, 120_000);

  it('bounds the wait for a mutation that fails on every try (18.16 does not say why), and says how to remove it', async () => {
    await warehouse.exec('CREATE TABLE steplog.mutation_probe (n UInt32) ENGINE = MergeTree ORDER BY n');
    await warehouse.exec('INSERT INTO steplog.mutation_probe SELECT number FROM system.numbers LIMIT 100');
    const started = Date.now();
    const failure = await deleteRows(warehouse, 'mutation_probe', 'throwIf(n > 0) = 1', 2_000).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MutationTimeoutError);
    expect((failure as Error).message).toMatch(
      /within 2000 ms \(STEPLOG_MUTATION_TIMEOUT; mutations mutation_\d+\.txt\).*this engine cannot KILL MUTATION/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    // 18.16 has no KILL MUTATION: the stuck mutation stays, as the message says.
    expect(
      await count(
        "SELECT count() AS n FROM system.mutations WHERE database = 'steplog' AND table = 'mutation_probe' AND is_done = 0",
      ),
    ).toBe(1);
  }, 60_000);
});
