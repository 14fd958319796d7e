import { describe, expect, it } from 'vitest';
import { MAX_UINT32 } from '../../src/events/limits.ts';
import { OutboxDeadLetters } from '../../src/queue/outbox/dead-letter-list.ts';
import { siteOutbox } from '../../src/queue/outbox/outbox-family.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import type { NewEvent } from '../../src/events/event.ts';
import { ConflictError } from '../../src/store/errors.ts';
import type { KyselyStore } from '../../src/store/kysely/kysely-store.ts';
import { uuidFor } from '../helpers/fixtures.ts';
import { generateSiteEvents, siteAdapters } from '../helpers/site-fixtures.ts';

const event = (stepId: number, n: number, userId = 1) => ({
  eventId: uuidFor(n),
  time: 1_700_000_000_000 + n,
  userId,
  stepId,
  actionId: 0 as const,
});

/** Commits events as ingest does: with their outbox rows, in one transaction. */
const append = (store: KyselyStore, events: readonly NewEvent[]) =>
  store.eventLog.appendEvents(events, new OutboxTransport(store).enqueue);

const user = (name: string, id?: number) => ({
  id,
  name,
  email: `${name}@example.com`,
  joinDate: 0,
  registrationDate: null,
});

/**
 * What every OLTP store adapter (and the outbox transport on it) promises, written from the
 * interfaces' documentation: run against SQLite in `npm test` and PostgreSQL in the integration suite.
 */
export function storeContract(name: string, open: () => Promise<KyselyStore>): void {
  const withStore = (test: (store: KyselyStore) => Promise<void>) => async () => {
    const store = await open();
    try {
      await test(store);
    } finally {
      await store.close();
    }
  };

  describe(`${name} store: ids`, () => {
    it(
      'never hands out an id again, not even a deleted task’s; an explicit id pushes the sequence past it',
      withStore(async (store) => {
        const first = await store.catalog.createTask({ title: 'a', text: '' });
        const second = await store.catalog.createTask({ title: 'b', text: '' });
        expect(await store.catalog.deleteTask(second.id)).toBe(true);
        const third = await store.catalog.createTask({ title: 'c', text: '' });
        expect([first.id, second.id, third.id]).toEqual([1, 2, 3]);
        await store.catalog.createTask({ id: 10, title: 'explicit', text: '' });
        expect((await store.catalog.createTask({ title: 'after', text: '' })).id).toBe(11);
        await expect(store.catalog.createTask({ id: 10, title: 'again', text: '' })).rejects.toThrow(ConflictError);
      }),
    );

    it(
      'stops the sequence at UInt32 instead of passing it',
      withStore(async (store) => {
        const last = await store.catalog.createUser(user('last', MAX_UINT32));
        expect(last).toEqual({ ...user('last'), id: MAX_UINT32 });
        expect(typeof last.id).toBe('number');
        await expect(store.catalog.createUser(user('next'))).rejects.toThrow(/check constraint/i);
        await expect(store.catalog.createTask({ id: MAX_UINT32 + 1, title: 'past UInt32', text: '' })).rejects.toThrow(
          /check constraint/i,
        );
        expect(await store.catalog.listUsers({ after: 0, limit: 10 })).toHaveLength(1);
      }),
    );
  });

  describe(`${name} store: appends`, () => {
    it(
      'answers per event in order; a repeated event_id, in the call or stored before, adds nothing',
      withStore(async (store) => {
        await store.catalog.createUser(user('u'));
        await store.catalog.createTask({ title: 't', text: '' });
        const first = await append(store, [event(1, 1), event(1, 2), event(1, 1)]);
        expect(first.map((r) => r.ok && [r.event.id, r.event.eventId, r.duplicate])).toEqual([
          [1, uuidFor(1), false],
          [2, uuidFor(2), false],
          [1, uuidFor(1), true],
        ]);
        const again = await append(store, [event(1, 2), event(9, 3), event(1, 4, 9)]);
        expect(again).toMatchObject([
          { ok: true, duplicate: true, event: { id: 2, eventId: uuidFor(2), time: event(1, 2).time, userId: 1 } },
          { ok: false, field: 'step_id' },
          { ok: false, field: 'user_id' },
        ]);
        const transport = new OutboxTransport(store);
        expect((await transport.backlog()).events).toBe(2);
        expect(await store.eventLog.receivedPerMinute(0)).toEqual([
          { minute: expect.any(Number) as number, events: 2 },
        ]);
      }),
    );

    it(
      'an event for a task deleted after it was checked is refused alone, not the whole commit',
      withStore(async (store) => {
        await store.catalog.createUser(user('u'));
        const kept = await store.catalog.createTask({ title: 'kept', text: '' });
        const doomed = await store.catalog.createTask({ title: 'doomed', text: '' });
        expect((await append(store, [event(kept.id, 1)]))[0]).toMatchObject({ ok: true });
        expect((await append(store, [event(doomed.id, 1)]))[0]).toMatchObject({ ok: true, duplicate: true });
        expect(await store.catalog.deleteTask(doomed.id)).toBe(true);
        const results = await append(store, [event(doomed.id, 2), event(kept.id, 3)]);
        expect(results).toMatchObject([{ ok: false, field: 'step_id' }, { ok: true }]);
        await expect(store.catalog.deleteTask(kept.id)).rejects.toThrow(ConflictError);
      }),
    );
  });

  describe(`${name} store: the web admin`, () => {
    it(
      'searches names and emails case-insensitively, with % and _ taken literally',
      withStore(async (store) => {
        for (const name of ['Ann_Lee', 'ANNA', 'Bob%', 'bobby']) await store.catalog.createUser(user(name));
        const search = async (text: string) =>
          (await store.catalog.searchUsers(text, { after: 0, limit: 10 })).map((u) => u.name);
        expect(await search('ann')).toEqual(['Ann_Lee', 'ANNA']);
        expect(await search('n_l')).toEqual(['Ann_Lee']);
        expect(await search('b%')).toEqual(['Bob%']);
        expect(await search('_')).toEqual(['Ann_Lee']);
        expect(await search('EXAMPLE.COM')).toHaveLength(4);
      }),
    );

    it(
      'keeps admins unique, sessions until they expire, saved queries by name',
      withStore(async (store) => {
        const admin = await store.admins.create('root', 'hash');
        await expect(store.admins.create('root', 'other')).rejects.toThrow(ConflictError);
        expect(await store.admins.find('root')).toEqual({ ...admin, passwordHash: 'hash' });
        await store.admins.createSession('token', admin.id, 2_000);
        expect(await store.admins.sessionAdmin('token', 1_000)).toEqual(admin);
        expect(await store.admins.sessionAdmin('token', 2_000)).toBeUndefined();
        await store.admins.deleteSession('token');
        expect(await store.admins.sessionAdmin('token', 1_000)).toBeUndefined();

        const seeded = (await store.savedQueries.list()).length;
        const saved = await store.savedQueries.save('q', 'SELECT 1');
        const replaced = await store.savedQueries.save('q', 'SELECT 2');
        expect(replaced).toMatchObject({ id: saved.id, name: 'q', sql: 'SELECT 2' });
        expect(await store.savedQueries.list()).toHaveLength(seeded + 1);
        await store.savedQueries.delete(saved.id);
        expect(await store.savedQueries.list()).toHaveLength(seeded);
      }),
    );

    it(
      'moves the users version on every update and erasure of a user, not on a creation',
      withStore(async (store) => {
        const versions: number[] = [await store.catalog.usersVersion()];
        const created = await store.catalog.createUser(user('v'));
        versions.push(await store.catalog.usersVersion());
        await store.catalog.updateUser({ ...created, name: 'w' });
        versions.push(await store.catalog.usersVersion());
        await store.userErasure.erase(created.id, new OutboxTransport(store).discard);
        versions.push(await store.catalog.usersVersion());
        expect(versions[1]).toBe(versions[0]);
        expect(new Set(versions.slice(1)).size).toBe(3);
      }),
    );

    it(
      'keeps API keys by hash and refuses revoked ones',
      withStore(async (store) => {
        const key = await store.apiKeys.create({ name: 'k', scope: 'read', hash: 'h', prefix: 'sl_read_' });
        expect(await store.apiKeys.findLive('h')).toEqual(key);
        expect(await store.apiKeys.revoke(key.id, 5)).toBe(true);
        expect(await store.apiKeys.revoke(key.id, 6)).toBe(false);
        expect(await store.apiKeys.findLive('h')).toBeUndefined();
        expect(await store.apiKeys.list()).toEqual([{ ...key, revokedAt: 5 }]);
      }),
    );

    it(
      'stores first-start keys only into a store with no key (a revoked one counts)',
      withStore(async (store) => {
        const first = [
          { name: 'a', scope: 'admin' as const, hash: 'ha', prefix: 'sl_admin_' },
          { name: 'i', scope: 'ingest' as const, hash: 'hi', prefix: 'sl_ingest_' },
        ];
        const made = await store.apiKeys.createFirst(first);
        expect(made).toMatchObject([
          { name: 'a', scope: 'admin', prefix: 'sl_admin_', revokedAt: null },
          { name: 'i', scope: 'ingest', prefix: 'sl_ingest_', revokedAt: null },
        ]);
        expect(typeof made![0]!.id).toBe('number');
        expect(typeof made![0]!.createdAt).toBe('number');
        expect(await store.apiKeys.list()).toEqual(made);
        expect(await store.apiKeys.findLive('hi')).toEqual(made![1]);
        await store.apiKeys.revoke(made![0]!.id, 1);
        await store.apiKeys.revoke(made![1]!.id, 1);
        expect(await store.apiKeys.createFirst([{ ...first[0]!, hash: 'again' }])).toBeNull();
        expect(await store.apiKeys.list()).toHaveLength(2);
      }),
    );

    it(
      'records import jobs with numeric counters; interrupted ones are failed',
      withStore(async (store) => {
        const job = await store.importJobs.start('manual');
        Object.assign(job, { rows: 3, batches: 1, reconciled: 1, deadLettered: 1 });
        expect(await store.importJobs.save(job)).toEqual(job);
        expect(await store.importJobs.failInterrupted('gone')).toBe(1);
        expect(await store.importJobs.list(5)).toMatchObject([
          { id: job.id, status: 'failed', rows: 3, error: 'gone' },
        ]);
      }),
    );
  });

  describe(`${name} store: the outbox`, () => {
    it(
      'forms, settles and dead-letters batches; the backlog counts what is left',
      withStore(async (store) => {
        await store.catalog.createUser(user('u'));
        await store.catalog.createTask({ title: 't', text: '' });
        await append(
          store,
          [1, 2, 3, 4].map((n) => event(1, n)),
        );
        const transport = new OutboxTransport(store);
        const received = await transport.receive(3);
        expect(received?.events.map((e) => e.id)).toEqual([1, 2, 3]);
        const formed = await transport.form(received!);
        expect((await transport.receive(10, formed))?.events.map((e) => e.id)).toEqual([4]);
        // Formed but not settled: it comes back whole, with its token.
        expect(await transport.receive(1)).toEqual(formed);
        const [refused] = formed.events;
        await transport.settle(formed, [{ event: refused!, error: 'bad', token: 't1', jobId: 1 }]);
        expect(await transport.backlog()).toEqual({ events: 1, oldestReceivedAt: expect.any(Number) as number });
        const letters = new OutboxDeadLetters(store.db);
        expect(await letters.count()).toBe(1);
        expect(await letters.retry()).toBe(1);
        const retried = await transport.receive(10);
        expect(retried).toMatchObject({ events: [{ id: 1 }], formed: { token: 't1' } });
      }),
    );

    it(
      'the dedup horizon forgets settled events received before it, keeps the backlog and dead letters',
      withStore(async (store) => {
        await store.catalog.createUser(user('u'));
        await store.catalog.createTask({ title: 't', text: '' });
        await append(
          store,
          [1, 2, 3, 4, 5].map((n) => event(1, n)),
        );
        const transport = new OutboxTransport(store);
        const formed = await transport.form((await transport.receive(3))!);
        await transport.settle(formed, [{ event: formed.events[0]!, error: 'bad', token: 't1', jobId: 1 }]);
        const site = siteAdapters(store);
        await site.append(generateSiteEvents(2, 2));
        await site.transport.settle(await site.transport.form((await site.transport.receive(10))!), []);

        expect(await store.retention.forgetDeliveredReceivedBefore(Date.now() - 60_000)).toBe(0);
        // Events 2 and 3 (settled) and both site events go; 1 (dead letter), 4 and 5 (queued) stay.
        expect(await store.retention.forgetDeliveredReceivedBefore(Date.now() + 60_000)).toBe(4);
        const left = await store.db.selectFrom('events').select('id').orderBy('id').execute();
        expect(left.map((row) => Number(row.id))).toEqual([1, 4, 5]);
        expect(await transport.backlog()).toMatchObject({ events: 2 });
        // A retry of a forgotten event_id is a new event; of a kept one, a duplicate.
        const [forgotten, kept] = await append(store, [event(1, 2), event(1, 4)]);
        expect(forgotten).toMatchObject({ ok: true, duplicate: false });
        expect(kept).toMatchObject({ ok: true, duplicate: true });
      }),
    );

    it(
      'two loaders forming batches from the same read claim each event once',
      withStore(async (store) => {
        await store.catalog.createUser(user('u'));
        await store.catalog.createTask({ title: 't', text: '' });
        await append(
          store,
          [1, 2, 3, 4, 5, 6].map((n) => event(1, n)),
        );
        const [a, b] = [new OutboxTransport(store), new OutboxTransport(store)];
        const readByA = await a.receive(4);
        const readByB = await b.receive(6);
        const formedByB = await b.form(readByB!);
        const formedByA = await a.form(readByA!);
        expect(formedByB.events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6]);
        expect(formedByA.events).toEqual([]);
        expect(formedByA.formed.token).not.toBe(formedByB.formed.token);
      }),
    );

    it(
      "a formed batch stays its loader's while the lease holds; another loader takes it once the lease ran out",
      withStore(async (store) => {
        await store.catalog.createUser(user('u'));
        await store.catalog.createTask({ title: 't', text: '' });
        await append(
          store,
          [1, 2, 3, 4, 5, 6].map((n) => event(1, n)),
        );
        const lease = { ms: 1_000 };
        const [a, b] = [new OutboxTransport(store, undefined, lease), new OutboxTransport(store, undefined, lease)];
        const formedByA = await a.form((await a.receive(3))!);
        // A live loader's batch is never another's: b gets the events no batch holds yet.
        const readByB = await b.receive(10);
        expect(readByB?.formed).toBeUndefined();
        expect(readByB?.events.map((e) => e.id)).toEqual([4, 5, 6]);
        // Its own loader gets it back (a retry after a failed insert).
        expect(await a.receive(10)).toEqual(formedByA);
        // a dies (its renewals stop): once the lease has run out, b takes the batch whole, as first formed.
        a.close();
        await new Promise((resolve) => setTimeout(resolve, lease.ms + 100));
        expect(await b.receive(10)).toEqual(formedByA);
        // Now it is b's: a, come back to life, does not get it.
        expect((await a.receive(10))?.formed).toBeUndefined();
      }),
    );

    it(
      'site events: stored as sent (ids up to 2^53 - 1), a repeat adds nothing, their own outbox claims and dead-letters them',
      withStore(async (store) => {
        const { transport, append: appendSite } = siteAdapters(store);
        const [first, ...rest] = generateSiteEvents(5, 3);
        const extreme = { ...first!, userId: Number.MAX_SAFE_INTEGER, productId: Number.MAX_SAFE_INTEGER, amount: 0.1 };
        const sent = [extreme, ...rest];
        const results = await appendSite([...sent, extreme]);
        expect(results.map((r) => r.ok && r.duplicate)).toEqual([false, false, false, false, false, true]);
        expect(await transport.backlog()).toMatchObject({ events: 5 });
        // The learning outbox sees none of them.
        expect(await new OutboxTransport(store).backlog()).toEqual({ events: 0, oldestReceivedAt: null });

        const [a, b] = [transport, new OutboxTransport(store, siteOutbox)];
        const readByA = await a.receive(5);
        const formedByB = await b.form((await b.receive(3))!);
        const formedByA = await a.form(readByA!);
        expect(formedByA.events.map((e) => e.eventId)).toEqual(sent.slice(3).map((e) => e.eventId));
        expect(formedByB.formed.token).toMatch(/^steplog:site:b/);
        const stored = [...formedByB.events, ...formedByA.events];
        expect(stored.map(({ id: _id, receivedAt: _at, ...e }) => e)).toEqual(sent.map(({ minted: _m, ...e }) => e));

        await b.settle(formedByB, [{ event: formedByB.events[0]!, error: 'bad', token: 't1', jobId: 1 }]);
        await a.settle(formedByA, []);
        expect(await transport.backlog()).toEqual({ events: 0, oldestReceivedAt: null });
        const letters = new OutboxDeadLetters(store.db, siteOutbox);
        expect(await letters.list({ limit: 10, after: 0 })).toMatchObject([
          { event: { eventId: extreme.eventId }, error: 'bad' },
        ]);
        expect(await new OutboxDeadLetters(store.db).count()).toBe(0);
      }),
    );
  });
}
