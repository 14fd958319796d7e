import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredCopies } from '../../src/analytics/delivery.ts';
import { rebuildAggregates } from '../../src/analytics/rebuild-aggregates.ts';
import { MAX_VERIFY_IDS } from '../../src/api/routes/verify.ts';
import { usersActivity } from '../../src/analytics/users-activity.ts';
import type { KyselyStore } from '../../src/store/kysely/kysely-store.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { WarehouseMigrator } from '../../src/warehouse/migrator.ts';
import { WAREHOUSE_DB, WarehouseError, WarehouseRejectedError, type Warehouse } from '../../src/warehouse/warehouse.ts';
import { expectEveryMart, loadMartData } from '../analytics/every-mart.ts';
import { events, LAST_DAY } from '../analytics/mart-data.ts';
import { uuidFor } from '../helpers/fixtures.ts';
import { tempDataDir } from '../helpers/server.ts';

/** A fresh, empty warehouse of the adapter under test, and how to dispose of it. */
export interface WarehouseUnderTest {
  readonly warehouse: Warehouse;
  /** The cluster its servers replicate on (STEPLOG_CLICKHOUSE_CLUSTER), if any. */
  readonly cluster?: string;
  close(): Promise<void>;
}

const CONSOLE = {
  format: 'JSONCompact',
  maxRows: 100,
  limits: { maxExecutionSeconds: 10, maxMemoryBytes: 500_000_000, maxRowsToRead: 10_000_000 },
} as const;

/**
 * What every `Warehouse` adapter must do, run against chDB (npm test) and a real ClickHouse server
 * (npm run test:integration): migrations, inserts with and without tokens, each mart equal to plain
 * SQL over the raw events and to the test's own model, the rebuild, and a console that refuses
 * writes, DDL, table functions and the host's files.
 */
export function warehouseContract(adapter: string, open: () => Promise<WarehouseUnderTest>): void {
  describe(`Warehouse contract: ${adapter}`, () => {
    let subject: WarehouseUnderTest;
    let warehouse: Warehouse;
    let store: KyselyStore;
    const count = async (table: string) =>
      Number((await warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${table}`))[0]!.n);

    beforeAll(async () => {
      subject = await open();
      warehouse = subject.warehouse;
      store = openSqliteStore(path.join(tempDataDir(), 'steplog.sqlite'));
      await store.migrate();
    });
    afterAll(async () => {
      await store?.close();
      await subject?.close();
    });

    it('applies every migration once, and none again', async () => {
      const migrator = new WarehouseMigrator(warehouse, { cluster: subject.cluster ?? null });
      const applied = await migrator.up();
      expect(applied.length).toBeGreaterThanOrEqual(10);
      expect(await migrator.up()).toEqual([]);
      expect((await migrator.status()).every((m) => m.appliedAt !== null)).toBe(true);
      const tables = await warehouse.query<{ name: string }>(
        'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name',
        { db: WAREHOUSE_DB },
      );
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['events', 'activity_daily', 'step_progress']));
    });

    it('inserts rows; a repeated deduplication token is skipped exactly where the engine has tokens', async () => {
      await warehouse.exec(
        `CREATE TABLE ${WAREHOUSE_DB}.contract_rows (id UInt32, note String) ENGINE = MergeTree() ORDER BY id`,
      );
      if (warehouse.capabilities.insertDeduplication) {
        await warehouse.exec(
          `ALTER TABLE ${WAREHOUSE_DB}.contract_rows MODIFY SETTING non_replicated_deduplication_window = 100`,
        );
      }
      const rows = [
        { id: 1, note: 'it\'s \\ "quoted"' },
        { id: 2, note: 'Zoë' },
      ];
      await warehouse.insert(`${WAREHOUSE_DB}.contract_rows`, rows);
      await warehouse.insert(`${WAREHOUSE_DB}.contract_rows`, rows, 'token-a');
      await warehouse.insert(`${WAREHOUSE_DB}.contract_rows`, rows, 'token-a');
      expect(await count(`${WAREHOUSE_DB}.contract_rows`)).toBe(warehouse.capabilities.insertDeduplication ? 4 : 6);
      const read = await warehouse.query<{ note: string }>(
        `SELECT note FROM ${WAREHOUSE_DB}.contract_rows WHERE id = {id:UInt32} AND note = {note:String} LIMIT 1`,
        { id: 1, note: rows[0]!.note },
      );
      expect(read).toEqual([{ note: rows[0]!.note }]);
      await expect(warehouse.insert(`${WAREHOUSE_DB}.contract_rows`, [{ id: 'x', note: 'n' }])).rejects.toThrow(
        WarehouseError,
      );
      await warehouse.exec(`DROP TABLE ${WAREHOUSE_DB}.contract_rows`);
    });

    it('inserts rows given as JSONEachRow text as it inserts objects, tokens and refusals alike', async () => {
      await warehouse.exec(
        `CREATE TABLE ${WAREHOUSE_DB}.contract_lines (id UInt32, note String, at DateTime, gone Nullable(DateTime)) ` +
          `ENGINE = MergeTree() ORDER BY id`,
      );
      if (warehouse.capabilities.insertDeduplication) {
        await warehouse.exec(
          `ALTER TABLE ${WAREHOUSE_DB}.contract_lines MODIFY SETTING non_replicated_deduplication_window = 100`,
        );
      }
      const rows = [
        { id: 1, note: 'it\'s \\ "quoted"\n\ttabbed', at: 1_767_225_600, gone: null },
        { id: 2, note: 'Zoë 😀', at: 1_767_225_601, gone: 1_767_225_602 },
      ];
      const text = Buffer.from(rows.map((row) => JSON.stringify(row)).join('\n'));
      await warehouse.insert(`${WAREHOUSE_DB}.contract_lines`, text, 'token-lines');
      await warehouse.insert(`${WAREHOUSE_DB}.contract_lines`, text, 'token-lines');
      const read = await warehouse.query<{ id: number; note: string; at: number; gone: number | null }>(
        `SELECT id, note, toUnixTimestamp(at) AS at, toUnixTimestamp(gone) AS gone ` +
          `FROM ${WAREHOUSE_DB}.contract_lines ORDER BY id`,
      );
      const copies = warehouse.capabilities.insertDeduplication ? rows : [rows[0], rows[0], rows[1], rows[1]];
      expect(read.map((row) => ({ ...row, id: Number(row.id), at: Number(row.at) }))).toEqual(copies);
      await expect(
        warehouse.insert(`${WAREHOUSE_DB}.contract_lines`, Buffer.from(JSON.stringify({ id: 'x', note: 'n', at: 0 }))),
      ).rejects.toThrow(WarehouseRejectedError);
      await warehouse.exec(`DROP TABLE ${WAREHOUSE_DB}.contract_lines`);
    });

    it('loads the marts data through the loader', async () => {
      await loadMartData(store, warehouse);
      expect(await count(`${WAREHOUSE_DB}.events`)).toBe(events.length);
      // As many ids as one verify request may ask about (a long inlined list where the engine has no parameters).
      const ids = events.map((e) => e.eventId);
      for (let n = 1; ids.length < MAX_VERIFY_IDS; n++) ids.push(uuidFor(9_000_000 + n));
      const copies = await deliveredCopies(warehouse, ids);
      expect(copies).toHaveLength(events.length);
      expect(copies.filter((c) => c.rows !== 1 || c.copies !== 1)).toEqual([]);
    });

    it('answers every mart as raw SQL over the events and the model do', () => expectEveryMart(warehouse));

    it('rebuilds damaged aggregates from the raw events', async () => {
      for (const table of ['activity_daily', 'cohort_daily', 'step_daily', 'step_progress']) {
        await warehouse.exec(`TRUNCATE TABLE ${WAREHOUSE_DB}.${table}`);
      }
      expect(await usersActivity(warehouse, { days: 30, date: LAST_DAY })).toMatchObject({ users: 0 });
      const rebuilt = await rebuildAggregates(warehouse);
      expect(rebuilt.map((t) => t.table)).toEqual(['activity_daily', 'cohort_daily', 'step_daily', 'step_progress']);
      await expectEveryMart(warehouse);
    });

    it('stops a console query at its limits, which the query cannot raise', async () => {
      const tight = { ...CONSOLE, limits: { ...CONSOLE.limits, maxRowsToRead: 10 } };
      for (const sql of [
        `SELECT sum(user_id) AS n FROM ${WAREHOUSE_DB}.events`,
        `SELECT sum(user_id) AS n FROM ${WAREHOUSE_DB}.events SETTINGS max_rows_to_read = 1000000000`,
      ]) {
        await expect(warehouse.queryReadOnly(sql, tight), sql).rejects.toThrow(/[Ll]imit for rows|readonly mode/);
      }
    });

    it('runs a console SELECT and refuses writes, DDL, table functions and the host', async () => {
      const answer = JSON.parse(
        await warehouse.queryReadOnly(`SELECT count() AS n FROM ${WAREHOUSE_DB}.events`, CONSOLE),
      ) as { data: [string | number][] };
      expect(Number(answer.data[0]![0])).toBe(events.length);
      const refused = [
        `INSERT INTO ${WAREHOUSE_DB}.events SELECT * FROM ${WAREHOUSE_DB}.events`,
        `DROP TABLE ${WAREHOUSE_DB}.events`,
        `SELECT 1); DROP TABLE ${WAREHOUSE_DB}.events; SELECT (1`,
        `CREATE TABLE ${WAREHOUSE_DB}.console_made (x UInt8) ENGINE = Memory`,
        `SELECT * FROM url('http://127.0.0.1:9/', CSV, 'a String')`,
        `SELECT * FROM file('/etc/passwd', CSV, 'a String')`,
        `SELECT * FROM remote('127.0.0.1', system.one)`,
        `SELECT file('/etc/passwd')`,
        'SELECT * FROM system.users',
        'SELECT * FROM "system"."one"',
        'SELECT hostName()',
        'SELECT count() FROM events SETTINGS readonly = 0',
      ];
      for (const sql of refused) {
        const refusal = warehouse.queryReadOnly(sql, CONSOLE);
        await expect(refusal, sql).rejects.toThrow(WarehouseError);
        // Refused by the sandbox or the engine's read-only mode, not by some accident of the query.
        await expect(refusal, sql).rejects.toThrow(
          /not allowed in the console|reads only the steplog database|readonly mode|Syntax error|runs one SELECT/,
        );
      }
      expect(await count(`${WAREHOUSE_DB}.events`)).toBe(events.length);
      const made = await warehouse.query(
        'SELECT name FROM system.tables WHERE database = {db:String} AND name = {t:String}',
        {
          db: WAREHOUSE_DB,
          t: 'console_made',
        },
      );
      expect(made).toEqual([]);
    });
  });
}
