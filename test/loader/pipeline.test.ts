import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/event.ts';
import { Loader } from '../../src/loader/loader.ts';
import { learningOutbox } from '../../src/queue/outbox/outbox-family.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import type { FormedBatch, NewDeadLetter, Transport } from '../../src/queue/transport.ts';
import { WarehouseError } from '../../src/warehouse/warehouse.ts';
import { generateEvents, openAdapters, warehouseEventCounts } from '../helpers/fixtures.ts';
import { intercept } from '../helpers/warehouse-wrappers.ts';

/**
 * The loader's pipeline: store work (forming the next batch, settling the last) runs while the
 * warehouse inserts, and exactly once holds whatever fails or stops in between. The real store and
 * chDB; the insert or the settle is only held at a gate, so the test sees what runs meanwhile.
 */
const { store, transport, append, warehouse } = await openAdapters();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls (every 5 ms) until `condition` holds; false when `ms` passed first. */
async function within(ms: number, condition: () => boolean | Promise<boolean>): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(5)) if (await condition()) return true;
  return condition();
}

class Gate {
  private open!: () => void;
  readonly opened = new Promise<void>((resolve) => (this.open = resolve));
  release(): void {
    this.open();
  }
}

/** The chDB warehouse, with each insert (1-based) optionally held at a gate or failed, and every insert recorded. */
function watchedWarehouse(hold: { gates?: Map<number, Gate>; failAt?: number } = {}) {
  const inserts: { token: string | undefined; concurrent: number }[] = [];
  let running = 0;
  const watched = intercept(warehouse, {
    async insert(table, rows, token) {
      running += 1;
      inserts.push({ token, concurrent: running });
      const n = inserts.length;
      try {
        await hold.gates?.get(n)?.opened;
        if (n === hold.failAt) throw new WarehouseError('the warehouse went away');
        await warehouse.insert(table, rows, token);
      } finally {
        running -= 1;
      }
    },
  });
  return { watched, inserts };
}

/** The outbox transport, with each settle (1-based) optionally held at a gate. */
function gatedSettles(inner: Transport, gates: Map<number, Gate>) {
  let settles = 0;
  const gated: Transport = {
    enqueue: inner.enqueue,
    discard: inner.discard,
    receive: (limit, after) => inner.receive(limit, after),
    form: (batch) => inner.form(batch),
    holds: (batch) => inner.holds(batch),
    release: (batch) => inner.release(batch),
    backlog: () => inner.backlog(),
    async settle(batch: FormedBatch<StoredEvent>, letters: readonly NewDeadLetter<StoredEvent>[]) {
      settles += 1;
      await gates.get(settles)?.opened;
      await inner.settle(batch, letters);
    },
  };
  return { gated, settled: () => settles };
}

const formedBatches = async () => (await store.db.selectFrom('outbox_batches').select('id').execute()).length;

const warehouseCounts = () => warehouseEventCounts(warehouse);

beforeAll(async () => {
  for (let id = 1; id <= 20; id++) {
    await store.catalog.createUser({
      id,
      name: `user ${id}`,
      email: `u${id}@example.com`,
      joinDate: Date.UTC(2026, 0, id),
      registrationDate: null,
    });
  }
  for (let id = 1; id <= 5; id++) await store.catalog.createTask({ id, title: `step ${id}`, text: '' });
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

describe('the loader pipeline', () => {
  it('forms the next batch while the warehouse inserts the current one; inserts stay one at a time, in order', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(250, 20, 5, 11));
    const gate = new Gate();
    const { watched, inserts } = watchedWarehouse({ gates: new Map([[1, gate]]) });
    const load = new Loader(transport, store.catalog, store.importJobs, watched, { batchSize: 100 }).run('manual');

    try {
      expect(await within(5_000, () => inserts.length === 1)).toBe(true);
      // The first insert is held: the second batch is formed meanwhile (two batches formed, none settled).
      expect(await within(2_000, async () => (await formedBatches()) === 2)).toBe(true);
      expect(inserts).toHaveLength(1);
    } finally {
      gate.release();
    }

    expect(await load).toMatchObject({ status: 'succeeded', rows: 250, batches: 3 });
    expect(inserts.map((i) => i.concurrent)).toEqual([1, 1, 1]);
    const ids = inserts.map((i) => Number(/b(\d+)/.exec(i.token!)![1]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 250, ids: before.ids + 250 });
    expect(await formedBatches()).toBe(0);
    expect((await transport.backlog()).events).toBe(0);
  });

  it('encodes a batch before its insert, as it forms it: the rows reach the warehouse as JSONEachRow text', async () => {
    await append(generateEvents(250, 20, 5, 16));
    const sent: (Buffer | null)[] = [];
    const watched = intercept(warehouse, {
      insert: (table, rows, token) => (
        sent.push(Buffer.isBuffer(rows) ? rows : null),
        warehouse.insert(table, rows, token)
      ),
    });
    const job = await new Loader(transport, store.catalog, store.importJobs, watched, { batchSize: 100 }).run('manual');

    expect(job).toMatchObject({ status: 'succeeded', rows: 250 });
    expect(sent).not.toContain(null);
    const lines = sent.flatMap((text) => text!.toString().split('\n'));
    expect(lines).toHaveLength(250);
    for (const line of lines) {
      const row = JSON.parse(line) as { user_id: number; name: string; registration_date: null };
      expect(row).toMatchObject({ name: `user ${row.user_id}`, registration_date: null });
    }
  });

  it('settles a batch while the warehouse inserts the next one', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(250, 20, 5, 12));
    const gate = new Gate();
    const { gated, settled } = gatedSettles(transport, new Map([[1, gate]]));
    const { watched, inserts } = watchedWarehouse();
    const load = new Loader(gated, store.catalog, store.importJobs, watched, { batchSize: 100 }).run('manual');

    try {
      expect(await within(5_000, () => settled() === 1)).toBe(true);
      // The first settle is held: the second batch's insert goes on meanwhile.
      expect(await within(2_000, () => inserts.length === 2)).toBe(true);
    } finally {
      gate.release();
    }

    expect(await load).toMatchObject({ status: 'succeeded', rows: 250, batches: 3 });
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 250, ids: before.ids + 250 });
    expect((await transport.backlog()).events).toBe(0);
  });

  it('a failed insert leaves its batch and the one formed ahead in doubt; the next load delivers each once', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(250, 20, 5, 13));
    const { watched } = watchedWarehouse({ failAt: 2 });
    const failed = await new Loader(transport, store.catalog, store.importJobs, watched, { batchSize: 100 }).run(
      'schedule',
    );
    expect(failed).toMatchObject({ status: 'failed', error: 'the warehouse went away', rows: 100, batches: 1 });
    // The second batch (failed) and the third (formed while the second was inserted) wait, formed.
    expect(await formedBatches()).toBe(2);
    expect((await transport.backlog()).events).toBe(150);

    const healed = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run(
      'schedule',
    );
    expect(healed).toMatchObject({ status: 'succeeded', rows: 150, batches: 2 });
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 250, ids: before.ids + 250 });
    expect(await formedBatches()).toBe(0);
  });

  it('stop() while a batch inserts: it and the batch formed ahead settle, nothing is left formed, the rest waits', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(250, 20, 5, 14));
    const gate = new Gate();
    const { watched, inserts } = watchedWarehouse({ gates: new Map([[1, gate]]) });
    const loader = new Loader(transport, store.catalog, store.importJobs, watched, { batchSize: 100 });
    const load = loader.run('manual');
    try {
      expect(await within(5_000, () => inserts.length === 1)).toBe(true);
      expect(await within(2_000, async () => (await formedBatches()) === 2)).toBe(true);
      loader.stop();
    } finally {
      gate.release();
    }

    expect(await load).toMatchObject({ status: 'succeeded', rows: 200, batches: 2 });
    expect(inserts).toHaveLength(2);
    expect(await formedBatches()).toBe(0);
    expect((await transport.backlog()).events).toBe(50);
    const next = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 }).run(
      'manual',
    );
    expect(next).toMatchObject({ status: 'succeeded', rows: 50, reconciled: 0 });
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 250, ids: before.ids + 250 });
  });

  it('keeps the lease on the batch formed ahead while the current insert outlasts it', async () => {
    const before = await warehouseCounts();
    await append(generateEvents(250, 20, 5, 15));
    const leased = new OutboxTransport(store, learningOutbox, { ms: 300 });
    const gate = new Gate();
    const { watched, inserts } = watchedWarehouse({ gates: new Map([[1, gate]]) });
    const load = new Loader(leased, store.catalog, store.importJobs, watched, { batchSize: 100 }).run('manual');
    expect(await within(5_000, () => inserts.length === 1)).toBe(true);
    // Three lease periods: only renewals keep either batch this loader's.
    await sleep(900);
    gate.release();

    expect(await load).toMatchObject({ status: 'succeeded', rows: 250, batches: 3 });
    expect(await warehouseCounts()).toEqual({ rows: before.rows + 250, ids: before.ids + 250 });
    leased.close();
  });
});
