import { afterAll, describe, expect, it } from 'vitest';
import { EventLoader, Loader } from '../../src/loader/loader.ts';
import { siteFamily } from '../../src/loader/site-denormalize.ts';
import { applyDedupHorizon } from '../../src/ops/dedup-horizon.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { generateEvents, openAdapters, uuidFor } from '../helpers/fixtures.ts';
import { generateSiteEvents, siteAdapters } from '../helpers/site-fixtures.ts';

/**
 * STEPLOG_DEDUP_WINDOW: delivered events are forgotten once received longer ago than the window;
 * inside it a retry is a duplicate, after it a new event. Undelivered events and dead letters stay.
 */
const { store, transport, append, warehouse } = await openAdapters();
const site = siteAdapters(store);
const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 });
const siteLoader = new EventLoader(site.transport, siteFamily, store.importJobs, warehouse, { batchSize: 100 });

afterAll(async () => {
  await store.close();
  await warehouse.close();
});

const WINDOW_MS = 7 * 86_400_000;
const rows = async (table: 'events' | 'site_events') =>
  Number(
    (
      await store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
const copies = async (eventId: string) =>
  Number(
    (
      await warehouse.query<{ n: string }>(
        `SELECT sum(copies) AS n FROM ${WAREHOUSE_DB}.event_deliveries WHERE event_id = toUUID('${eventId}')`,
      )
    )[0]!.n,
  );

const delivered = generateEvents(250, 5, 3, 1);
const siteDelivered = generateSiteEvents(120, 10, 1);
const queued = generateEvents(30, 5, 3, 2);
const deadLettered = generateEvents(1, 5, 3, 3)[0]!;

describe('STEPLOG_DEDUP_WINDOW', () => {
  it('keeps everything while the window has not passed: a retry inside it is a duplicate', async () => {
    for (let i = 0; i < 5; i++)
      await store.catalog.createUser({ joinDate: 0, registrationDate: 0, name: `u${i}`, email: '' });
    for (let i = 0; i < 3; i++) await store.catalog.createTask({ title: `t${i}`, text: '' });
    await append(delivered);
    await site.append(siteDelivered);
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', rows: 250 });
    expect(await siteLoader.run('manual')).toMatchObject({ status: 'succeeded', rows: 120 });
    // A dead letter, set aside by the transport's own verb, and a backlog the loader has not moved.
    await append([deadLettered]);
    const batch = await transport.form((await transport.receive(10))!);
    await transport.settle(batch, [{ event: batch.events[0]!, error: 'refused', token: batch.formed.token, jobId: 0 }]);
    await append(queued);

    expect(await applyDedupHorizon(store.retention, WINDOW_MS)).toBe(0);
    const [retry] = await append([delivered[0]!]);
    expect(retry).toMatchObject({ ok: true, duplicate: true });
  });

  it('forgets the delivered events of both families once the window has passed, and only them', async () => {
    const later = Date.now() + WINDOW_MS + 1;
    // One event committed while the clock ran a month ahead (then stepped back): it is young.
    await store.db
      .updateTable('events')
      .set((eb) => ({ received_at: eb('received_at', '+', 30 * 86_400_000) }))
      .where('event_id', '=', delivered[100]!.eventId)
      .execute();
    expect(await applyDedupHorizon(store.retention, WINDOW_MS, later)).toBe(249 + 120);
    expect(await rows('events')).toBe(1 + queued.length + 1);
    expect(await rows('site_events')).toBe(0);
    expect((await transport.backlog()).events).toBe(queued.length);
    const dead = await store.db.selectFrom('dead_letters').select('event_pk').execute();
    expect(dead).toHaveLength(1);
    expect(await applyDedupHorizon(store.retention, WINDOW_MS, later)).toBe(0);
  });

  it('takes a retry after the window as a new event, which the warehouse then holds twice', async () => {
    const [retry] = await append([delivered[0]!]);
    expect(retry).toMatchObject({ ok: true, duplicate: false });
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', rows: queued.length + 1 });
    expect(await copies(delivered[0]!.eventId)).toBe(2);
    expect(await copies(uuidFor(1_000_001))).toBe(1);
  });
});
