import { afterAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../../src/events/event.ts';
import { OutboxTransport } from '../../../src/queue/outbox/outbox-transport.ts';
import { StoreUnavailableError } from '../../../src/store/errors.ts';
import type { KyselyStore } from '../../../src/store/kysely/kysely-store.ts';
import { openPostgresStore } from '../../../src/store/postgres/postgres-store.ts';
import { freePort } from '../../helpers/server.ts';
import { storeContract } from '../../store/store-contract.ts';
import { createTestDatabase, type TestDatabase } from '../servers/postgres.ts';

const databases: TestDatabase[] = [];
const append = (store: KyselyStore, events: readonly NewEvent[]) =>
  store.eventLog.appendEvents(events, new OutboxTransport(store).enqueue);
afterAll(async () => {
  for (const database of databases) await database.drop();
});

async function openStore(): Promise<KyselyStore> {
  const database = await createTestDatabase();
  databases.push(database);
  const store = openPostgresStore(database.url);
  await store.migrate();
  return store;
}

storeContract('PostgreSQL', openStore);

describe('PostgreSQL store', () => {
  it('two processes committing the same new event_id at once store it once and both answer with it', async () => {
    const first = await openStore();
    const database = databases.at(-1)!;
    const second = openPostgresStore(database.url);
    await first.catalog.createUser({ name: 'u', email: '', joinDate: 0, registrationDate: null });
    await first.catalog.createTask({ title: 't', text: '' });
    const same = {
      eventId: '00000000-0000-4000-8000-000000000001',
      time: 0,
      userId: 1,
      stepId: 1,
      actionId: 0 as const,
    };
    for (let round = 0; round < 20; round++) {
      const event = { ...same, eventId: same.eventId.replace(/1$/, String(round + 1)) };
      const [a, b] = await Promise.all([append(first, [event]), append(second, [event])]);
      expect(a[0]).toMatchObject({ ok: true, event: { eventId: event.eventId } });
      expect(b[0]).toMatchObject({ ok: true, event: { eventId: event.eventId } });
      expect(a[0]!.ok && b[0]!.ok && a[0]!.event.id === b[0]!.event.id).toBe(true);
    }
    const { count } = await first.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .executeTakeFirstOrThrow();
    expect(count).toBe(20);
    await Promise.all([first.close(), second.close()]);
  });

  it('a server that does not answer is StoreUnavailableError (503), not a crash', async () => {
    const store = openPostgresStore(`postgres://postgres@127.0.0.1:${await freePort()}/nothing`);
    await expect(append(store, [{ eventId: 'x', time: 0, userId: 1, stepId: 1, actionId: 0 }])).rejects.toThrow(
      StoreUnavailableError,
    );
    await expect(store.catalog.createTask({ title: 't', text: '' })).rejects.toThrow(StoreUnavailableError);
    await store.close();
  });
});
