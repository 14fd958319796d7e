import type { UserColumns } from '../../src/loader/user-columns.ts';
import { denormalizer } from '../../src/loader/denormalize.ts';
import { WAREHOUSE_DB, type Warehouse } from '../../src/warehouse/warehouse.ts';
import { generateEvents } from '../../test/helpers/fixtures.ts';
import { emptyWarehouse } from '../lib/disk.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';

const EVENTS = Number(process.env.BENCH_VIEW_EVENTS ?? 200_000);
const BATCH = 10_000;
const USERS = 10_000;

/**
 * What each materialized view on steplog.events costs an insert: the same denormalized rows
 * inserted into the table with no view, with each view alone, and with all of them, in batches of
 * 10,000, every table emptied first, the median of three runs each, in the same run. The views are dropped and re-created from
 * their own `SHOW CREATE` text; the schema is as migrated when the phase ends.
 */
export async function viewsPhase(warehouse: Warehouse): Promise<Figure[]> {
  const users = new Map<number, UserColumns>();
  for (let id = 1; id <= USERS; id++) {
    users.set(id, { join_date: id, registration_date: null, name: `user ${id}`, email: `u${id}@x`, is_guest: 1 });
  }
  const toRow = denormalizer(users);
  const rows = generateEvents(EVENTS, USERS, 300, 11).map((e, i) => toRow({ ...e, id: i + 1, receivedAt: e.time }));
  const views = await warehouse.query<{ name: string }>(
    `SELECT name FROM system.tables WHERE database = '${WAREHOUSE_DB}' AND engine = 'MaterializedView' ` +
      `AND name IN (SELECT name FROM system.tables WHERE database = '${WAREHOUSE_DB}' AND create_table_query LIKE '%FROM ${WAREHOUSE_DB}.events%') ORDER BY name`,
  );
  const ddl = new Map<string, string>();
  for (const { name } of views) {
    const [row] = await warehouse.query<{ statement: string }>(`SHOW CREATE TABLE ${WAREHOUSE_DB}.${name}`);
    ddl.set(name, row!.statement);
  }
  const insertSeconds = async () => {
    await emptyWarehouse(warehouse);
    const started = performance.now();
    for (let i = 0; i < rows.length; i += BATCH)
      await warehouse.insert(`${WAREHOUSE_DB}.events`, rows.slice(i, i + BATCH));
    return (performance.now() - started) / 1000;
  };
  const all = await insertSeconds();
  for (const name of ddl.keys()) await warehouse.exec(`DROP TABLE ${WAREHOUSE_DB}.${name}`);
  const none = await insertSeconds();
  const figures: Figure[] = [];
  for (const [name, statement] of ddl) {
    await warehouse.exec(statement);
    const alone = await insertSeconds();
    await warehouse.exec(`DROP TABLE ${WAREHOUSE_DB}.${name}`);
    figures.push(viewFigure(name, alone, none));
  }
  for (const statement of ddl.values()) await warehouse.exec(statement);
  await emptyWarehouse(warehouse);
  figures.push(viewFigure('every view', all, none));
  return figures;
}

const viewFigure = (name: string, seconds: number, none: number): Figure => ({
  phase: 'views',
  measure: `insert into steplog.events with ${name}`,
  steplog: round(EVENTS / seconds),
  baseline: round(EVENTS / none),
  unit: 'rows/s',
  loadAverage: loadAverage(),
  note: `${round(seconds, 2)} s vs ${round(none, 2)} s with no view, ${EVENTS.toLocaleString('en')} rows in batches of ${BATCH}`,
});
