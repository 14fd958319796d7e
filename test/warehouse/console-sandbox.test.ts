import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { separatesStatements } from '../../src/warehouse/drivers/console-sandbox.ts';
import { WarehouseMigrator } from '../../src/warehouse/migrator.ts';
import { tempDataDir } from '../helpers/server.ts';

/**
 * Issue 11's reproductions of the console reading the host, against the real engine: each query
 * must be refused (by the sandbox on ClickHouse's parse tree, or by the engine itself), and what
 * the steplog tables hold must stay readable.
 */
const dir = tempDataDir();
const warehouse = ChdbWarehouse.open(path.join(dir, 'clickhouse'));
await new WarehouseMigrator(warehouse).up();
afterAll(() => warehouse.close());

const options = {
  format: 'JSONCompact' as const,
  maxRows: 100,
  limits: { maxExecutionSeconds: 10, maxMemoryBytes: 1e9, maxRowsToRead: 1e8 },
};
const run = (sql: string) => warehouse.queryReadOnly(sql, options);

const REFUSED = [
  "SELECT file('/etc/passwd')",
  "SELECT file('/proc/self/environ')",
  `SELECT extract(file('${path.join(dir, 'steplog.sqlite-wal')}'), 'scrypt[^"]*')`,
  "SELECT (SELECT file('/etc/passwd'))",
  "WITH f AS (SELECT file('/etc/passwd') AS x) SELECT * FROM f",
  "SELECT * FROM file('/etc/hostname', 'LineAsString')",
  "SELECT * FROM url('http://127.0.0.1:9/', CSV, 'a String')",
  "SELECT * FROM remote('127.0.0.1', system.one)",
  "SELECT * FROM s3('http://127.0.0.1:9/x.csv', CSV)",
  "SELECT * FROM merge('system', '.*')",
  "SELECT * FROM executable('cat /etc/passwd', CSV, 'a String')",
  'SELECT * FROM system.settings',
  'SELECT * FROM system.processes',
  'SELECT * FROM system.disks',
  'SELECT * FROM system.server_settings',
  'SELECT * FROM system.stack_trace',
  'SELECT * FROM system.users',
  'SELECT name FROM information_schema.tables',
  'SELECT * FROM INFORMATION_SCHEMA.COLUMNS',
  'SELECT count() FROM steplog.events WHERE user_id IN (SELECT 1 FROM system.one)',
  "SELECT getSetting('max_memory_usage')",
  "SELECT getServerSetting('path')",
  'SELECT hostName(), fqdn(), uptime()',
  'SELECT currentUser()',
  "SELECT dictGet('system.x', 'y', toUInt64(1))",
  "SELECT hasColumnInTable('system', 'settings', 'name')",
  'SELECT filesystemAvailable()',
];

describe('the SQL console sandbox', () => {
  it('refuses every query that reads the host, the network or another database', async () => {
    const answers: string[] = [];
    for (const sql of REFUSED) {
      const error = await run(sql).then(
        () => undefined,
        (e: Error) => e.message,
      );
      expect(error, sql).toBeDefined();
      answers.push(`${sql}  →  ${error!.split('\n')[0]!.slice(0, 140)}`);
    }
    console.info(answers.join('\n'));
  });

  it('still answers queries over the steplog tables, CTEs and generated rows', async () => {
    for (const sql of [
      'SELECT count() FROM steplog.events',
      'WITH x AS (SELECT 1 AS a) SELECT * FROM x',
      'SELECT number FROM numbers(3)',
      "SELECT toDate(now()) >= toDate(0), version() != ''",
      'SELECT day, countMerge(event_states) FROM steplog.activity_daily GROUP BY day',
    ]) {
      await expect(run(sql), sql).resolves.toContain('"data"');
    }
  });
});

describe('one statement per console query', () => {
  it.each([
    'SELECT 1); DROP TABLE steplog.events; SELECT (1',
    'SELECT 1;',
    "-- '\nSELECT 1); DROP TABLE steplog.events; SELECT ('",
    "/* ' */ SELECT 1); DROP TABLE steplog.events; SELECT (1",
    '/* /* */ ; SELECT 1 */',
    "SELECT 'a\\'' ; SELECT 1",
    'SELECT $$x$$; SELECT 1',
  ])('refuses %j', async (sql) => {
    await expect(run(sql)).rejects.toThrow('the console runs one SELECT');
    expect(separatesStatements(sql)).toBe(true);
  });

  it.each(["SELECT 'a;b' AS s", 'SELECT 1 AS "x;y"', 'SELECT 1 -- trailing; comment', "SELECT 'it''s; fine'"])(
    'lets %j through',
    (sql) => expect(separatesStatements(sql)).toBe(false),
  );

  it('keeps the events table when a query carries a DROP after a ";"', async () => {
    await expect(run('SELECT 1); DROP TABLE steplog.events; SELECT (1')).rejects.toThrow();
    expect(await warehouse.query('SELECT count() AS n FROM steplog.events')).toEqual([{ n: expect.anything() }]);
  });
});
