import { ClickHouseServerWarehouse } from '../../../src/warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { warehouseContract } from '../../warehouse/contract.ts';
import { startClickHouse } from '../servers/clickhouse.ts';

warehouseContract('ClickHouse server (Debian 18.16)', async () => {
  const server = await startClickHouse();
  const warehouse = await ClickHouseServerWarehouse.connect([server.url], { requestTimeoutMs: 60_000 });
  return {
    warehouse,
    async close() {
      await warehouse.close();
      await server.destroy();
    },
  };
});
