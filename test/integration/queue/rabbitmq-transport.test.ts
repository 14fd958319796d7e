import path from 'node:path';
import type { Channel, ConfirmChannel } from 'amqplib';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deliveredCopies } from '../../../src/analytics/delivery.ts';
import { Loader } from '../../../src/loader/loader.ts';
import { OutboxTransport } from '../../../src/queue/outbox/outbox-transport.ts';
import { AmqpLink, EVENTS_QUEUE } from '../../../src/queue/rabbitmq/amqp-link.ts';
import { OutboxRelay } from '../../../src/queue/rabbitmq/outbox-relay.ts';
import { RabbitTransport } from '../../../src/queue/rabbitmq/rabbitmq-transport.ts';
import type { KyselyStore } from '../../../src/store/kysely/kysely-store.ts';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { ChdbWarehouse } from '../../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WarehouseMigrator } from '../../../src/warehouse/migrator.ts';
import type { Warehouse } from '../../../src/warehouse/warehouse.ts';
import { generateEvents } from '../../helpers/fixtures.ts';
import { tempDataDir } from '../../helpers/server.ts';
import { intercept } from '../../helpers/warehouse-wrappers.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';
import { startRabbitNode, type RabbitNode } from '../servers/rabbitmq.ts';

const log = pino({ level: 'silent' });
let broker: RabbitNode;
let warehouse: ChdbWarehouse;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  broker = await startRabbitNode();
  warehouse = ChdbWarehouse.open(path.join(tempDataDir(), 'clickhouse'));
  await new WarehouseMigrator(warehouse).up();
});
// Consumers left open would take the next test's messages (one queue per broker).
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(async () => {
  await warehouse?.close();
  await broker?.destroy();
});

let database: TestDatabase;
let store: KyselyStore;

beforeAll(async () => {
  database = await createTestDatabase();
  store = openPostgresStore(database.url);
  await store.migrate();
  for (let i = 0; i < 5; i++)
    await store.catalog.createUser({ name: `u${i}`, email: '', joinDate: 0, registrationDate: null });
  for (let i = 0; i < 3; i++) await store.catalog.createTask({ title: `t${i}`, text: '' });
});
afterAll(async () => {
  await store?.close();
  await database?.drop();
});

/**
 * `count` more events committed in the one PostgreSQL store (batch ids, and so insert tokens, are
 * unique per store: one store per warehouse), with relays and consumers on the private broker.
 */
async function pipeline(count: number, seed: number) {
  const events = generateEvents(count, 5, 3, seed);
  const outbox = new OutboxTransport(store);
  await store.eventLog.appendEvents(events, outbox.enqueue);
  const relay = (orphanAfterMs = 60_000) => {
    const link = new AmqpLink<ConfirmChannel>(broker.url, 'confirm', log);
    closers.push(() => link.close());
    return new OutboxRelay(outbox, link, store.db, { segmentSize: 100, intervalMs: 60_000, orphanAfterMs, log });
  };
  // Each loader process has its own outbox transport (its own lease owner); tests share one unless told.
  const consumer = (prefetch = 2, own = outbox, onDelivered?: (events: number) => void) => {
    const transport = new RabbitTransport(broker.url, own, { prefetch, log, onDelivered });
    closers.push(() => transport.close());
    return transport;
  };
  const loader = (transport: RabbitTransport, afterInsert?: () => void) =>
    new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100, log, afterInsert });
  const copies = async () => {
    const found = await deliveredCopies(
      warehouse,
      events.map((e) => e.eventId),
    );
    return {
      rows: found.reduce((n, c) => n + c.rows, 0),
      copies: found.reduce((n, c) => n + c.copies, 0),
      ids: found.length,
    };
  };
  return { store, outbox, relay, consumer, loader, copies };
}

async function queueDepth(): Promise<number> {
  const link = new AmqpLink<Channel>(broker.url, 'plain', log);
  try {
    return (await (await link.channel()).checkQueue(EVENTS_QUEUE)).messageCount;
  } finally {
    await link.close();
  }
}

describe('RabbitMQ transport', () => {
  it("tells its listener the events of each segment the broker delivers (a loader process's load trigger)", async () => {
    const p = await pipeline(250, 61);
    expect(await p.relay().pass()).toBe(250);
    const told: number[] = [];
    const transport = p.consumer(2, p.outbox, (events) => told.push(events));
    expect((await transport.receive())?.events).toHaveLength(100);
    // Prefetch 2: two segments are delivered before any ack.
    await expect.poll(() => told).toEqual([100, 100]);
    expect(await p.loader(transport).run('manual')).toMatchObject({ status: 'succeeded', rows: 250 });
    expect(told).toEqual([100, 100, 50]);
  });

  it('a segment redelivered after its loader died between insert and ack is inserted once, under its first token', async () => {
    const p = await pipeline(300, 1);
    expect(await p.relay().pass()).toBe(300);
    expect((await p.outbox.backlog()).events).toBe(300);

    const dying = p.consumer();
    const crashed = await p
      .loader(dying, () => {
        throw new Error('killed after the insert');
      })
      .run('manual');
    expect(crashed).toMatchObject({ status: 'failed', batches: 0 });
    await dying.close(); // its connection goes: the broker delivers the unacked segments again

    const job = await p.loader(p.consumer()).run('manual');
    expect(job).toMatchObject({ status: 'succeeded', batches: 3 });
    expect(await p.copies()).toEqual({ rows: 300, copies: 300, ids: 300 });
    expect(await p.outbox.backlog()).toEqual({ events: 0, oldestReceivedAt: null });
    expect(await queueDepth()).toBe(0);
  });

  it('a segment published twice (a relay died before marking it) is loaded once and the copy acked', async () => {
    const p = await pipeline(150, 2);
    expect(await p.relay().pass()).toBe(150);
    // As if the relay died between the broker's confirm and marking the batches published.
    await p.store.db.updateTable('outbox_batches').set({ published_at: null, formed_at: 0 }).execute();
    expect(await p.relay(1).pass()).toBe(150);

    const job = await p.loader(p.consumer()).run('manual');
    expect(job).toMatchObject({ status: 'succeeded', batches: 2, rows: 150, reconciled: 0 });
    expect(await p.copies()).toEqual({ rows: 150, copies: 150, ids: 150 });
    expect(await queueDepth()).toBe(0);
  });

  it('two copies of one segment reaching two loaders at once: one loads it, the other acks its copy after', async () => {
    const p = await pipeline(100, 6);
    expect(await p.relay().pass()).toBe(100);
    await p.store.db.updateTable('outbox_batches').set({ published_at: null, formed_at: 0 }).execute();
    expect(await p.relay(1).pass()).toBe(100);
    // One copy each (prefetch 1), each loader with its own lease owner.
    const [a, b] = [p.consumer(1, new OutboxTransport(store)), p.consumer(1, new OutboxTransport(store))];
    expect((await a.receive())?.events).toHaveLength(100);
    expect(await b.receive()).toBeNull();
    expect(await p.loader(a).run('manual')).toMatchObject({ status: 'succeeded', rows: 100 });
    expect(await b.receive()).toBeNull();
    expect(await p.copies()).toEqual({ rows: 100, copies: 100, ids: 100 });
    expect(await queueDepth()).toBe(0);
  });

  it('a live loader whose insert outlasts its lease keeps the segment: a copy at another loader is not inserted', async () => {
    const p = await pipeline(100, 7);
    expect(await p.relay().pass()).toBe(100);
    await p.store.db.updateTable('outbox_batches').set({ published_at: null, formed_at: 0 }).execute();
    expect(await p.relay(1).pass()).toBe(100);
    const lease = { ms: 1_000 };
    const [a, b] = [
      p.consumer(1, new OutboxTransport(store, undefined, lease)),
      p.consumer(1, new OutboxTransport(store, undefined, lease)),
    ];
    const tokens = { a: [] as string[], b: [] as string[] };
    let started: () => void = () => undefined;
    const inserting = new Promise<void>((resolve) => (started = resolve));
    // A's insert takes 3.5 leases; B records what it inserts.
    const slow = intercept(warehouse, {
      async insert(table, rows, token) {
        tokens.a.push(token!);
        started();
        await new Promise((resolve) => setTimeout(resolve, 3_500));
        await warehouse.insert(table, rows, token);
      },
    });
    const recording = intercept(warehouse, {
      insert: (table, rows, token) => (tokens.b.push(token!), warehouse.insert(table, rows, token)),
    });
    const on = (transport: RabbitTransport, into: Warehouse) =>
      new Loader(transport, store.catalog, store.importJobs, into, { batchSize: 100, log });
    const runA = on(a, slow).run('manual');
    await inserting;
    let finished = false;
    void runA.finally(() => (finished = true));
    while (!finished) {
      expect(await on(b, recording).run('manual')).toMatchObject({ status: 'succeeded', rows: 0 });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(await runA).toMatchObject({ status: 'succeeded', rows: 100 });
    // B's copy is acked once A settled the segment.
    expect(await on(b, recording).run('manual')).toMatchObject({ status: 'succeeded', rows: 0 });
    expect(tokens.b, 'segments B inserted').toEqual([]);
    expect(await p.copies()).toEqual({ rows: 100, copies: 100, ids: 100 });
    expect(await queueDepth()).toBe(0);
  });

  it('relay and loader recover by themselves from a broker restart', async () => {
    const p = await pipeline(200, 3);
    const relay = p.relay();
    const consumer = p.consumer();
    const loader = p.loader(consumer);
    expect(await relay.pass()).toBe(200);
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', rows: 200 });

    // Committed through the RabbitMQ transport's produce verb: the outbox's insert.
    await p.store.eventLog.appendEvents(generateEvents(100, 5, 3, 4), consumer.enqueue);
    await broker.stop('SIGKILL');
    await expect(relay.pass()).rejects.toThrow();
    expect((await p.outbox.backlog()).events).toBe(100);
    await broker.start();
    await expect.poll(() => relay.pass().catch(() => -1), { timeout: 30_000, interval: 500 }).toBe(100);
    await expect.poll(async () => (await loader.run('manual')).rows, { timeout: 30_000, interval: 500 }).toBe(100);
    expect(await p.outbox.backlog()).toEqual({ events: 0, oldestReceivedAt: null });
  });
});
