import fs from 'node:fs';
import path from 'node:path';
import { createClient } from '@clickhouse/client';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.ts';
import { ClickHouseServerWarehouse } from '../src/warehouse/drivers/clickhouse-server/clickhouse-server-warehouse.ts';
import { WarehouseMigrator } from '../src/warehouse/migrator.ts';
import { openAdapters } from '../test/helpers/fixtures.ts';
import { tempDataDir } from '../test/helpers/server.ts';
import { startClickHouse } from '../test/integration/servers/clickhouse.ts';
import { round, writeResults, type Figure } from './lib/report.ts';
import { loaderPhase } from './phases/loader.ts';
import { queriesPhase } from './phases/queries.ts';

/**
 * `npm run bench:clickhouse-server`: on a private ClickHouse server (Debian's 18.16 here), the
 * loader moving a backlog against inserting the same rows with `@clickhouse/client` directly, in
 * the same batches, in the same run; then every mart on BENCH_QUERY_EVENTS events on the server
 * and on chDB in the same run (the queries phase of `npm run bench` on each engine). Prints the
 * figures as JSON and writes them to bench/results/<date>-clickhouse-server.json.
 */
const started = Date.now();
const log = (message: string) => console.error(`[bench +${round((Date.now() - started) / 1000)} s] ${message}`);
const figures: Figure[] = [];
const clickhouse = await startClickHouse();
const dir = tempDataDir();
const store = openSqliteStore(path.join(dir, 'steplog.sqlite'));
const warehouse = await ClickHouseServerWarehouse.connect([clickhouse.url], { requestTimeoutMs: 600_000 });
const client = createClient({ url: clickhouse.url, request_timeout: 300_000 });
const engine = `ClickHouse ${warehouse.version} server`;
try {
  await store.migrate();
  await new WarehouseMigrator(warehouse).up();
  log('loader: backlog vs direct insert into the server');
  figures.push(
    ...(await loaderPhase(
      { store, warehouse },
      async (table, rows) => void (await client.insert({ table, values: [...rows], format: 'JSONEachRow' })),
      engine,
    )),
  );
  log('marts on the server');
  figures.push(...(await queriesPhase({ warehouse }, `queries, ${engine}`)));
} finally {
  await client.close();
  await warehouse.close();
  await store.close();
  await clickhouse.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
log('marts on chDB');
const chdb = await openAdapters();
try {
  figures.push(...(await queriesPhase(chdb, 'queries, chDB')));
} finally {
  await chdb.store.close();
  await chdb.warehouse.close();
  fs.rmSync(chdb.dir, { recursive: true, force: true });
}

console.log(JSON.stringify(figures, null, 2));
const out = writeResults(figures, started, '-clickhouse-server');
log(`done; results in ${path.relative(process.cwd(), out)}`);
