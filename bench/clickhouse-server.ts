import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { ClickHouseServerWarehouse } from '../src/warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseMigrator } from '../src/warehouse/migrator.ts';
import { tempDataDir } from '../test/helpers/server.ts';
import { startClickHouse } from '../test/integration/servers/clickhouse.ts';
import { loaderPhase } from './phases/loader.ts';

/**
 * `npm run bench:clickhouse-server`: the loader moving a backlog into a private ClickHouse server
 * (Debian's 18.16 here) against inserting the same rows with `@clickhouse/client` directly, in the
 * same batches, in the same run. Prints the figure as JSON.
 */
const clickhouse = await startClickHouse();
const dir = tempDataDir();
const store = openSqliteStore(path.join(dir, 'steplog.sqlite'));
const warehouse = await ClickHouseServerWarehouse.connect([clickhouse.url], { requestTimeoutMs: 300_000 });
const client = createClient({ url: clickhouse.url, request_timeout: 300_000 });
try {
  await store.migrate();
  await new WarehouseMigrator(warehouse).up();
  const figures = await loaderPhase(
    { store, warehouse },
    async (table, rows) => void (await client.insert({ table, values: [...rows], format: 'JSONEachRow' })),
    `ClickHouse ${warehouse.version} server`,
  );
  console.log(JSON.stringify(figures, null, 2));
} finally {
  await client.close();
  await warehouse.close();
  await store.close();
  await clickhouse.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
