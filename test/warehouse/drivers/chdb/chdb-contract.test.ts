import path from 'node:path';
import { ChdbWarehouse } from '../../../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { tempDataDir } from '../../../helpers/server.ts';
import { warehouseContract } from '../../contract.ts';

warehouseContract('chDB', async () => {
  const warehouse = ChdbWarehouse.open(path.join(tempDataDir(), 'clickhouse'));
  return { warehouse, close: () => warehouse.close() };
});
