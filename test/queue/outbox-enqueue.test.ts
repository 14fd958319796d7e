import { afterAll, describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../src/events/event.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { uuidFor } from '../helpers/fixtures.ts';
import { tempDataDir } from '../helpers/server.ts';

const store = openSqliteStore(`${tempDataDir()}/steplog.sqlite`);
await store.migrate();
const transport = new OutboxTransport(store);
await store.catalog.createUser({ name: 'u', email: '', joinDate: 0, registrationDate: null });
await store.catalog.createTask({ title: 't', text: '' });
afterAll(() => store.close());

const event = (n: number, userId = 1): NewEvent => ({ eventId: uuidFor(n), time: 0, userId, stepId: 1, actionId: 0 });
const count = async (table: 'events' | 'outbox') =>
  Number(
    (
      await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('the outbox transport enqueues inside the store transaction', () => {
  it('queues exactly the events the commit added: no repeat, no refused event', async () => {
    await store.eventLog.appendEvents([event(1)], transport.enqueue);
    const results = await store.eventLog.appendEvents([event(1), event(2), event(2), event(3, 99)], transport.enqueue);
    expect(results.map((r) => r.ok && r.duplicate)).toEqual([true, false, true, false]);
    expect(await count('events')).toBe(2);
    expect(await count('outbox')).toBe(2);
    const batch = await transport.receive(10);
    expect(batch?.events.map((e) => e.eventId)).toEqual([uuidFor(1), uuidFor(2)]);
  });

  it('a failing enqueue commits neither the events nor their outbox rows', async () => {
    const before = { events: await count('events'), outbox: await count('outbox') };
    const failing = async (transaction: unknown, events: readonly StoredEvent[]) => {
      await transport.enqueue(transaction, events);
      throw new Error('the queue refused');
    };
    await expect(store.eventLog.appendEvents([event(10), event(11)], failing)).rejects.toThrow('the queue refused');
    expect({ events: await count('events'), outbox: await count('outbox') }).toEqual(before);
  });
});
