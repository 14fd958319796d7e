import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Loader } from '../../src/loader/loader.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { generateEvents, openAdapters } from '../helpers/fixtures.ts';

const USERS = 10;
const { dir, store, append, transport, warehouse } = await openAdapters();
// Another process sharing the store: its own connection to the same database file.
const other = openSqliteStore(path.join(dir, 'steplog.sqlite'));

/** The real catalog, counting the users each batch fetches. */
const fetched: number[] = [];
const catalog = {
  usersVersion: () => store.catalog.usersVersion(),
  getUsers: async (ids: readonly number[]) => {
    fetched.push(ids.length);
    return store.catalog.getUsers(ids);
  },
};
const loader = new Loader(transport, catalog, store.importJobs, warehouse, { batchSize: 100 });

beforeAll(async () => {
  for (let id = 1; id <= USERS; id++) {
    await store.catalog.createUser({
      id,
      name: `user ${id}`,
      email: `u${id}@example.com`,
      joinDate: Date.UTC(2026, 0, id),
      registrationDate: null,
    });
  }
  await store.catalog.createTask({ id: 1, title: 'step 1', text: '' });
});
afterAll(async () => {
  await other.close();
  await store.close();
  await warehouse.close();
});

describe('users cached across batches', () => {
  it('fetches each user once while none changes', async () => {
    await append(generateEvents(300, USERS, 1, 1));
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', rows: 300, batches: 3 });
    expect(fetched).toEqual([USERS]);
  });

  it('a user changed by another process is denormalized as changed from the next load on', async () => {
    const user = (await other.catalog.getUser(3))!;
    await other.catalog.updateUser({ ...user, name: 'renamed', registrationDate: Date.UTC(2026, 2, 1) });
    const events = generateEvents(100, USERS, 1, 2);
    await append(events);
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', rows: 100 });
    const [row] = await warehouse.query<{ changed: string; before: string }>(
      `SELECT countIf(name = 'renamed' AND registration_date IS NOT NULL AND is_guest = 0) AS changed, ` +
        `countIf(name = 'user 3' AND registration_date IS NULL AND is_guest = 1) AS before ` +
        `FROM ${WAREHOUSE_DB}.events WHERE user_id = 3`,
    );
    const ofUser3 = (seed: number, count: number) =>
      generateEvents(count, USERS, 1, seed).filter((e) => e.userId === 3);
    expect({ changed: Number(row!.changed), before: Number(row!.before) }).toEqual({
      changed: ofUser3(2, 100).length,
      before: ofUser3(1, 300).length,
    });
    expect(fetched).toEqual([USERS, USERS]);
  });

  it('keeps no more users than a batch holds, and still denormalizes every row', async () => {
    const small = new Loader(transport, catalog, store.importJobs, warehouse, { batchSize: 4 });
    const events = generateEvents(60, 4, 1, 3).map((e, i) => ({ ...e, userId: 6 + (i % 5) }));
    await append(events);
    fetched.length = 0;
    expect(await small.run('manual')).toMatchObject({ status: 'succeeded', rows: 60, batches: 15 });
    expect(Math.max(...fetched)).toBeLessThanOrEqual(4);
    const [row] = await warehouse.query<{ wrong: string }>(
      `SELECT countIf(name != concat('user ', toString(user_id))) AS wrong FROM ${WAREHOUSE_DB}.events WHERE user_id >= 6`,
    );
    expect(Number(row!.wrong)).toBe(0);
  });

  it('erasing a user in another process moves the users version', async () => {
    const version = await store.catalog.usersVersion();
    expect(await other.userErasure.erase(5, transport.discard)).toBe(true);
    expect(await store.catalog.usersVersion()).not.toBe(version);
  });
});
