import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSERT_BLOCK_ROWS } from '../../src/loader/blocks.ts';
import { Loader } from '../../src/loader/loader.ts';
import { WAREHOUSE_DB, WarehouseError } from '../../src/warehouse/warehouse.ts';
import { generateEvents, openAdapters, warehouseEventCounts } from '../helpers/fixtures.ts';
import { intercept } from '../helpers/warehouse-wrappers.ts';

const { store, transport, append, warehouse } = await openAdapters();

const warehouseCounts = () => warehouseEventCounts(warehouse);

const ledgerCounts = async () => {
  const [row] = await warehouse.query<{ copies: string; ids: string }>(
    `SELECT sum(copies) AS copies, uniqExact(event_id) AS ids FROM ${WAREHOUSE_DB}.event_deliveries`,
  );
  return { copies: Number(row!.copies), ids: Number(row!.ids) };
};

beforeAll(async () => {
  for (let id = 1; id <= 20; id++) {
    await store.catalog.createUser({
      id,
      name: `user ${id}`,
      email: `u${id}@example.com`,
      joinDate: Date.UTC(2026, 0, id),
      registrationDate: id % 3 === 0 ? null : Date.UTC(2026, 1, id),
    });
  }
  for (let id = 1; id <= 5; id++) await store.catalog.createTask({ id, title: `step ${id}`, text: '' });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

describe('Loader', () => {
  it('loads the backlog in batches, denormalized, and empties the outbox', async () => {
    const events = generateEvents(250, 20, 5, 1);
    await append(events);
    const job = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run(
      'manual',
    );

    expect(job).toMatchObject({ status: 'succeeded', rows: 250, batches: 3, reconciled: 0 });
    expect(await warehouseCounts()).toEqual({ rows: 250, ids: 250 });
    expect((await transport.backlog()).events).toBe(0);

    const [row] = await warehouse.query<Record<string, unknown>>(
      `SELECT user_id, name, email, is_guest, toString(join_date) AS join_date, registration_date FROM ${WAREHOUSE_DB}.events WHERE user_id = 3 LIMIT 1`,
    );
    expect(row).toMatchObject({
      user_id: 3,
      name: 'user 3',
      email: 'u3@example.com',
      is_guest: 1,
      join_date: '2026-01-03 00:00:00',
      registration_date: null,
    });
  });

  it('a crash between the warehouse insert and the ack duplicates nothing after a restart', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(250, 20, 5, 2));
    let inserts = 0;
    const crashing = new Loader(transport, store.catalog, store.importJobs, warehouse, {
      batchSize: 100,
      afterInsert: () => {
        inserts += 1;
        if (inserts === 2) throw new Error('simulated crash before ack');
      },
    });
    const failed = await crashing.run('schedule');
    expect(failed).toMatchObject({ status: 'failed', error: 'simulated crash before ack', rows: 100 });
    // The second batch is in the warehouse but still in the outbox: the in-doubt state a kill -9 leaves.
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 200, ids: before.ids + 200 });
    expect((await transport.backlog()).events).toBe(150);

    const restarted = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run(
      'schedule',
    );
    expect(restarted).toMatchObject({ status: 'succeeded', rows: 50, reconciled: 100 });
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 250, ids: before.ids + 250 });
    expect((await transport.backlog()).events).toBe(0);
  });

  it('a failed insert keeps the batch in the backlog and a later run delivers it once', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(30, 20, 5, 3));
    await warehouse.exec(`RENAME TABLE ${WAREHOUSE_DB}.events TO ${WAREHOUSE_DB}.events_away`);
    const failed = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run(
      'schedule',
    );
    await warehouse.exec(`RENAME TABLE ${WAREHOUSE_DB}.events_away TO ${WAREHOUSE_DB}.events`);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/events/);
    expect((await transport.backlog()).events).toBe(30);

    const healed = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run(
      'schedule',
    );
    expect(healed).toMatchObject({ status: 'succeeded', rows: 30 });
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 30, ids: before.ids + 30 });
  });

  it('a crash that cut an insert between the events table and a view leaves the view whole after the retry', async () => {
    const before = { events: await warehouseCounts(), ledger: await ledgerCounts() };
    await append(generateEvents(60, 20, 5, 4));
    // The ledger's view misses the insert, as when a kill -9 lands after the events part is written.
    await warehouse.exec(`DETACH TABLE ${WAREHOUSE_DB}.event_deliveries_mv`);
    const crashed = await new Loader(transport, store.catalog, store.importJobs, warehouse, {
      batchSize: 100,
      afterInsert: () => {
        throw new Error('killed');
      },
    }).run('schedule');
    await warehouse.exec(`ATTACH TABLE ${WAREHOUSE_DB}.event_deliveries_mv`);
    expect(crashed.status).toBe('failed');
    expect(await ledgerCounts()).toEqual(before.ledger);

    const retried = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run(
      'schedule',
    );
    expect(retried).toMatchObject({ status: 'succeeded', rows: 0, reconciled: 60 });
    expect(await warehouseCounts()).toEqual({ rows: before.events.rows + 60, ids: before.events.ids + 60 });
    expect(await ledgerCounts()).toEqual({ copies: before.ledger.copies + 60, ids: before.ledger.ids + 60 });
  });

  it('a batch size changed between the crash and the restart re-forms the in-doubt batch as first formed', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(500, 20, 5, 5));
    const crashed = await new Loader(transport, store.catalog, store.importJobs, warehouse, {
      batchSize: 400,
      afterInsert: () => {
        throw new Error('killed after the insert');
      },
    }).run('schedule');
    expect(crashed.status).toBe('failed');
    // Restarted with a smaller batch: the 400 in doubt come back whole, and so do the other 100,
    // formed (as one batch of at most 400) while the first was inserted.
    const restarted = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 30 }).run(
      'schedule',
    );
    expect(restarted).toMatchObject({ status: 'succeeded', reconciled: 400, rows: 100, batches: 2 });
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 500, ids: before.ids + 500 });
    const ledger = await ledgerCounts();
    expect(ledger.copies).toBe(ledger.ids);
  });

  it('inserts a batch larger than one insert in pieces; a crash after the first, and the retry, load each row once', async () => {
    const rows = 2.5 * INSERT_BLOCK_ROWS;
    const before = { events: await warehouseCounts(), ledger: await ledgerCounts() };
    await append(generateEvents(rows, 20, 5, 6));
    const inserts: number[] = [];
    /** The warehouse, recording each insert's rows; with `failAt`, that insert (1-based) fails as if it went away. */
    const recording = (failAt?: number) =>
      intercept(warehouse, {
        async insert(table, values, token) {
          if (inserts.length + 1 === failAt) throw new WarehouseError('the warehouse went away');
          // Rows given as objects, or already encoded (one JSONEachRow line a row).
          inserts.push(Buffer.isBuffer(values) ? values.toString().trimEnd().split('\n').length : values.length);
          await warehouse.insert(table, values, token);
        },
      });
    const crashed = await new Loader(transport, store.catalog, store.importJobs, recording(2), {
      batchSize: rows,
    }).run('schedule');
    expect(inserts).toEqual([INSERT_BLOCK_ROWS]);
    expect(crashed).toMatchObject({ status: 'failed', error: 'the warehouse went away' });

    const retried = await new Loader(transport, store.catalog, store.importJobs, recording(), {
      batchSize: rows,
    }).run('schedule');
    // The batch in doubt goes in again whole, under the same tokens: its first piece is skipped.
    expect(retried).toMatchObject({
      status: 'succeeded',
      rows: rows - INSERT_BLOCK_ROWS,
      reconciled: INSERT_BLOCK_ROWS,
    });
    expect(Math.max(...inserts)).toBe(INSERT_BLOCK_ROWS);
    expect(await warehouseCounts()).toEqual({ rows: before.events.rows + rows, ids: before.events.ids + rows });
    expect(await ledgerCounts()).toEqual({ copies: before.ledger.copies + rows, ids: before.ledger.ids + rows });
  });
});
