import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildAggregates } from '../../../src/analytics/rebuild-aggregates.ts';
import { ClickHouseServerWarehouse } from '../../../src/warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseMigrator } from '../../../src/warehouse/migrator.ts';
import { warehouseContract } from '../../warehouse/contract.ts';
import { startClickHouseCluster, type ClickHouseCluster } from '../servers/clickhouse-cluster.ts';

const connect = (urls: readonly string[]) => ClickHouseServerWarehouse.connect(urls, { requestTimeoutMs: 200_000 });

/** The contract every warehouse keeps, on two replicas with steplog's tables replicated ON CLUSTER. */
warehouseContract('ClickHouse 18.16 cluster (2 replicas, ZooKeeper)', async () => {
  const cluster = await startClickHouseCluster();
  const warehouse = await connect(cluster.urls.split(','));
  return {
    warehouse,
    cluster: cluster.name,
    async close() {
      await warehouse.close();
      await cluster.destroy();
    },
  };
});

describe('migrations on a ClickHouse 18.16 cluster', () => {
  let cluster: ClickHouseCluster;
  let one: ClickHouseServerWarehouse;
  let two: ClickHouseServerWarehouse;
  beforeAll(async () => {
    cluster = await startClickHouseCluster();
    one = await connect([cluster.replicas[0].url]);
    two = await connect([cluster.replicas[1].url]);
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await cluster?.destroy();
  });

  const tables = async (replica: 0 | 1) =>
    (
      await cluster.replicas[replica].query(
        "SELECT name, engine FROM system.tables WHERE database = 'steplog' AND engine != 'MaterializedView' ORDER BY name",
      )
    )
      .trim()
      .split('\n')
      .map((line) => line.split('\t'));

  it('two loaders starting at once, one on each replica, migrate once: every table Replicated on both', async () => {
    const migrate = (warehouse: ClickHouseServerWarehouse) =>
      new WarehouseMigrator(warehouse, { cluster: cluster.name }).up();
    const [a, b] = await Promise.all([migrate(one), migrate(two)]);
    const all = await new WarehouseMigrator(one).status();
    expect([a.length, b.length].sort((x, y) => x - y)).toEqual([0, all.length]);
    expect(all.every((m) => m.appliedAt !== null)).toBe(true);

    const onFirst = await tables(0);
    expect(onFirst).toEqual(await tables(1));
    expect(onFirst.map(([name]) => name)).toEqual(
      expect.arrayContaining(['events', 'event_deliveries', 'activity_daily', 'schema_migrations', 'site_events']),
    );
    expect(onFirst.filter(([, engine]) => !engine!.startsWith('Replicated'))).toEqual([]);
    for (const replica of cluster.replicas) {
      expect((await replica.query('SELECT count() FROM steplog.schema_migrations')).trim()).toBe(String(all.length));
    }
  });

  it('rebuilds the aggregates on one replica and the other receives them', async () => {
    await cluster.replicas[0].query(
      "INSERT INTO steplog.events (event_id, time, user_id, join_date, name, email, is_guest, step_id, action_id, received_at) VALUES ('00000000-0000-4000-8000-000000000001', '2026-03-02 10:00:00', 7, '2026-01-01 00:00:00', 'n', 'e', 0, 3, 2, now())",
    );
    await cluster.replicas[1].query('SYSTEM SYNC REPLICA steplog.events');
    await cluster.replicas[1].query('TRUNCATE TABLE steplog.step_daily');
    const rebuilt = await rebuildAggregates(two);
    expect(rebuilt.find((t) => t.table === 'step_daily')).toMatchObject({ partitions: ['202603'], rows: 1 });
    const read = "SELECT countMerge(event_states) FROM steplog.step_daily WHERE day = '2026-03-02'";
    for (const replica of cluster.replicas) {
      await replica.query('SYSTEM SYNC REPLICA steplog.step_daily');
      expect((await replica.query(read)).trim(), replica.url).toBe('1');
    }
    expect((await tables(1)).map(([name]) => name)).not.toContain('step_daily_rebuild');
  });

  it('a migrated cluster lets steplog start while a replica is down: no DDL runs', async () => {
    await cluster.replicas[1].kill();
    try {
      expect(await new WarehouseMigrator(one, { cluster: cluster.name }).up()).toEqual([]);
    } finally {
      await cluster.replicas[1].start();
    }
  }, 30_000);
});
