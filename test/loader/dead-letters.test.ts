import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Loader } from '../../src/loader/loader.ts';
import { OutboxDeadLetters } from '../../src/queue/outbox/dead-letter-list.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { generateEvents, openAdapters } from '../helpers/fixtures.ts';

/**
 * Rows the warehouse refuses for good. The API no longer accepts any (test/e2e/no-stall.test.ts),
 * but a store written before that fix can hold them — here event_ids ClickHouse cannot parse as
 * UUIDs, the poison pill of issue 9. They must go to the dead letters while every other row loads
 * exactly once, into the table and every view; a retry after the cause is fixed delivers them once.
 */
const { store, transport, append, warehouse } = await openAdapters();
const deadLetters = new OutboxDeadLetters(store.db);
const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 1_000 });

const counts = async () => {
  const rows = await warehouse.query<{ event_id: string; rows: string }>(
    `SELECT toString(event_id) AS event_id, count() AS rows FROM ${WAREHOUSE_DB}.events GROUP BY event_id`,
  );
  const copies = await warehouse.query<{ event_id: string; copies: string }>(
    `SELECT toString(event_id) AS event_id, sum(copies) AS copies FROM ${WAREHOUSE_DB}.event_deliveries GROUP BY event_id`,
  );
  const [aggregated] = await warehouse.query<{ n: string }>(
    `SELECT countMerge(event_states) AS n FROM ${WAREHOUSE_DB}.activity_daily`,
  );
  return {
    rows: new Map(rows.map((r) => [r.event_id, Number(r.rows)])),
    copies: new Map(copies.map((r) => [r.event_id, Number(r.copies)])),
    aggregated: Number(aggregated!.n),
  };
};

/** Events with these positions get an event_id in a form the warehouse cannot parse. */
function withPoison(seed: number, count: number, positions: number[], end: number) {
  const events = generateEvents(count, 20, 5, seed, end);
  // (ClickHouse parses 32 hex digits without dashes as a UUID, so that form is no poison.)
  const forms = (id: string, i: number) => (i % 2 === 0 ? `urn:uuid:${id}` : `{${id.toUpperCase()}}`);
  positions.forEach((at, i) => (events[at] = { ...events[at]!, eventId: forms(events[at]!.eventId, i) }));
  return { events, poisoned: new Set(positions.map((at) => events[at]!.eventId)) };
}

beforeAll(async () => {
  for (let id = 1; id <= 20; id++) {
    await store.catalog.createUser({
      name: `user ${id}`,
      email: '',
      joinDate: Date.UTC(2026, 0, 1),
      registrationDate: null,
    });
  }
  for (let id = 1; id <= 5; id++) await store.catalog.createTask({ title: `step ${id}`, text: '' });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

describe('rows the warehouse refuses', () => {
  it('are isolated into the dead letters; the rest load exactly once; a retry after the fix loads them once', async () => {
    const { events, poisoned } = withPoison(7, 3_000, [0, 1, 777, 1_500, 2_999], Date.UTC(2026, 3, 1));
    await append(events);

    const job = await loader.run('manual');
    expect(job).toMatchObject({ status: 'succeeded', deadLettered: 5, rows: 2_995, batches: 3 });
    expect((await transport.backlog()).events).toBe(0);
    const letters = await deadLetters.list({ limit: 100, after: 0 });
    expect(new Set(letters.map((l) => l.event.eventId))).toEqual(poisoned);
    expect(letters.every((l) => /UUID/i.test(l.error) && l.jobId === job.id)).toBe(true);

    const loaded = await counts();
    const delivered = events.filter((e) => !poisoned.has(e.eventId)).map((e) => e.eventId);
    expect(delivered.filter((id) => loaded.rows.get(id) !== 1)).toEqual([]);
    expect(delivered.filter((id) => loaded.copies.get(id) !== 1)).toEqual([]);
    expect(loaded.aggregated).toBe(2_995);

    // The operator repairs the stored ids (the cause), then retries: each arrives exactly once.
    const sqlite = store.db;
    for (const letter of letters) {
      const fixed = letter.event.eventId.replace(/^urn:uuid:|[{}]/g, '').toLowerCase();
      await sqlite.updateTable('events').set({ event_id: fixed }).where('id', '=', letter.event.id).execute();
    }
    expect(await deadLetters.retry()).toBe(5);
    expect(await deadLetters.count()).toBe(0);
    expect((await transport.backlog()).events).toBe(5);
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', deadLettered: 0, rows: 5, batches: 5 });
    const after = await counts();
    expect(after.rows.size).toBe(3_000);
    expect([...after.rows.values()].every((n) => n === 1)).toBe(true);
    expect([...after.copies.values()].every((n) => n === 1)).toBe(true);
    expect(after.aggregated).toBe(3_000);
  });

  it('a dropped dead letter leaves the backlog and the list, and never reaches the warehouse', async () => {
    const { events } = withPoison(8, 200, [3, 150], Date.UTC(2026, 4, 1));
    await append(events);
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', deadLettered: 2, rows: 198 });
    const [first, second] = await deadLetters.list({ limit: 100, after: 0 });
    expect(await deadLetters.drop([first!.event.id])).toBe(1);
    expect(await deadLetters.count()).toBe(1);
    expect(await deadLetters.drop()).toBe(1);
    expect((await transport.backlog()).events).toBe(0);
    expect(await loader.run('manual')).toMatchObject({ rows: 0, batches: 0 });
    expect(second).toBeDefined();
  });

  it('a view that throws is not dead-lettered: the batch stays, and loads exactly once when the view is fixed', async () => {
    const before = await counts();
    const events = generateEvents(300, 20, 5, 9, Date.UTC(2026, 5, 1));
    await append(events);
    await warehouse.exec(`CREATE TABLE ${WAREHOUSE_DB}.guard (user_id UInt32) ENGINE = Null`);
    await warehouse.exec(
      `CREATE MATERIALIZED VIEW ${WAREHOUSE_DB}.guard_mv TO ${WAREHOUSE_DB}.guard AS ` +
        `SELECT user_id + throwIf(user_id = 13, 'user 13 refused') AS user_id FROM ${WAREHOUSE_DB}.events`,
    );
    // ClickHouse may already have written the block to some tables: splitting it would double those.
    const failed = await loader.run('manual');
    expect(failed).toMatchObject({ status: 'failed', deadLettered: 0 });
    expect(failed.error).toMatch(/user 13 refused/);
    expect((await transport.backlog()).events).toBe(300);
    expect(await deadLetters.count()).toBe(0);

    await warehouse.exec(`DROP TABLE ${WAREHOUSE_DB}.guard_mv`);
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', deadLettered: 0 });
    const after = await counts();
    expect(events.filter((e) => after.rows.get(e.eventId) !== 1)).toEqual([]);
    expect(events.filter((e) => after.copies.get(e.eventId) !== 1)).toEqual([]);
    expect(after.aggregated).toBe(before.aggregated + 300);
  });
});
