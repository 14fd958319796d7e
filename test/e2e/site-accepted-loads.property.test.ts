import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_SITE_ID } from '../../src/events/site-schemas.ts';
import { uuidList } from '../../src/warehouse/uuid-list.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { openApp } from '../helpers/app.ts';

/**
 * Exactly once for site events over what the API accepts: fast-check generates site events over
 * the documented input space (any Unicode name, obj, obj_id and variants; ids up to 2^53 - 1;
 * amounts from 0 to 1e15 as any double; naive and offset date-times; experiments), sends each
 * through either route (steplog's batch with event_ids — some sent twice — or the seed's
 * `/events/`), loads with a crash between the insert and the settle of one batch, loads again,
 * and requires every accepted event exactly once in steplog.site_events and its delivery ledger,
 * with the values sent.
 */
const RUNS = 4;
const NOW = Date.now();
let crashAt = -1;
let inserts = 0;
const { runtime, app, key, close } = await openApp(
  { STEPLOG_BATCH_SIZE: '40' },
  {
    loader: {
      afterInsert: () => {
        inserts += 1;
        if (inserts === crashAt) throw new Error('killed between insert and settle');
      },
    },
  },
);
const authorization = `Bearer ${await key('ingest')}`;
afterAll(close);

const text = (minLength: number, maxLength: number) => fc.string({ unit: 'binary', minLength, maxLength });
const dt = fc
  .record({ ms: fc.integer({ min: 0, max: NOW + 23 * 3_600_000 }), naive: fc.boolean() })
  .map(({ ms, naive }) => ({ ms, text: naive ? new Date(ms).toISOString().slice(0, 23) : new Date(ms).toISOString() }));
// Fastify refuses a JSON body with a "__proto__" key (prototype poisoning), whatever the route.
const experimentName = text(1, 100).filter((name) => name !== '__proto__');
const siteEvent = fc.record({
  eventId: fc.option(fc.uuid(), { nil: undefined }),
  seedRoute: fc.boolean(),
  resend: fc.boolean(),
  dt,
  name: text(1, 100),
  user_id: fc.oneof(fc.integer({ min: 0, max: MAX_SITE_ID }), fc.constantFrom(0, MAX_SITE_ID)),
  url: fc.webUrl().filter((u) => u.length <= 2048 && !/\s/.test(u)),
  obj: text(1, 100),
  obj_id: fc.option(text(0, 200), { nil: undefined }),
  product_id: fc.option(fc.integer({ min: 0, max: MAX_SITE_ID }), { nil: undefined }),
  amount: fc.option(fc.double({ min: 0, max: 1e15, noNaN: true }), { nil: undefined }),
  exp: fc.option(fc.option(fc.dictionary(experimentName, text(0, 100), { maxKeys: 4 }), { nil: null }), {
    nil: undefined,
  }),
});
const scenario = fc.record({
  events: fc.uniqueArray(siteEvent, { minLength: 60, maxLength: 120, selector: (e) => e.eventId ?? Symbol() }),
  crashAtBatch: fc.integer({ min: 1, max: 2 }),
});

interface LoadedRow {
  event_id: string;
  time_ms: string;
  name: string;
  user_id: string;
  url: string;
  obj: string;
  obj_id: string;
  product_id: string;
  amount: number;
  exp_keys: string[];
  exp_values: string[];
  copies: string;
}

let accepted = 0;
const known = new Set<string>();
/** Each loaded row with its copies in the delivery ledger. */
const SELECT_LOADED = `SELECT toString(e.event_id) AS event_id, time_ms, name, user_id, url, obj, obj_id, product_id,
    amount, exp_keys, exp_values, d.copies AS copies
  FROM ${WAREHOUSE_DB}.site_events AS e
  ANY LEFT JOIN (SELECT event_id, sum(copies) AS copies FROM ${WAREHOUSE_DB}.site_event_deliveries
                 GROUP BY event_id) AS d USING event_id`;

describe('whatever the site routes accept loads exactly once with equal values', () => {
  it(`${RUNS} generated site event streams, through either route, with a crash mid-load`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ events, crashAtBatch }) => {
        const sent = new Map<string, (typeof events)[number]>();
        inserts = 0;
        crashAt = crashAtBatch;
        const steplogStyle = events.filter((e) => !e.seedRoute || e.eventId !== undefined);
        const bodies = steplogStyle.map((e) => ({
          ...(e.eventId && { event_id: e.eventId }),
          ...fields(e),
        }));
        const batch = await app.inject({
          method: 'POST',
          url: '/api/site-events/batch',
          payload: {
            events: [
              ...bodies,
              ...bodies.filter((_, i) => steplogStyle[i]!.resend && steplogStyle[i]!.eventId !== undefined),
            ],
          },
          headers: { authorization },
        });
        expect(batch.statusCode, batch.body).toBe(202);
        const results = batch.json<{ results: { status: string; event_id: string; duplicate: boolean }[] }>().results;
        expect(results.filter((r) => r.status !== 'accepted')).toEqual([]);
        steplogStyle.forEach((e, i) => sent.set(results[i]!.event_id, e));
        expect(results.slice(bodies.length).every((r) => r.duplicate)).toBe(true);

        const viaSeed = events.filter((e) => e.seedRoute && e.eventId === undefined);
        for (const e of viaSeed) {
          const res = await app.inject({
            method: 'POST',
            url: '/events/',
            payload: { ...fields(e), extra: 1 },
            headers: { authorization },
          });
          expect([res.statusCode, res.body]).toEqual([200, 'null']);
        }
        accepted += sent.size;

        // Loads run while ingest goes on (a batch's worth of arrivals triggers one) and on demand:
        // one of them is killed between its insert and its settle; the next re-forms the batch.
        await runtime.scheduler.run('manual');
        const crashed = inserts >= crashAtBatch;
        crashAt = -1;
        expect(crashed).toBe(true);
        expect(await runtime.scheduler.run('manual')).toMatchObject({ status: 'succeeded' });
        expect((await runtime.siteTransport.backlog()).events).toBe(0);

        const rows = await runtime.warehouse.query<LoadedRow>(
          `${SELECT_LOADED} WHERE e.event_id IN (${uuidList([...sent.keys()])})`,
        );
        // Seed-route events carry no id: theirs are the rows no earlier run knew, in the order sent
        // (the server's ids are UUIDv7, monotonic in one process).
        const unknown = await runtime.warehouse.query<{ event_id: string }>(
          `SELECT toString(event_id) AS event_id FROM ${WAREHOUSE_DB}.site_events
           WHERE event_id NOT IN (${uuidList([...known, ...sent.keys()])}) ORDER BY event_id`,
        );
        expect(unknown).toHaveLength(viaSeed.length);
        unknown.forEach((r, i) => sent.set(r.event_id, viaSeed[i]!));
        for (const id of sent.keys()) known.add(id);
        rows.push(
          ...(await runtime.warehouse.query<LoadedRow>(
            `${SELECT_LOADED} WHERE e.event_id IN (${uuidList(unknown.map((r) => r.event_id))})`,
          )),
        );
        expect(rows).toHaveLength(sent.size);
        for (const row of rows) {
          const e = sent.get(row.event_id)!;
          const exp = Object.entries(e.exp ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
          expect({
            ...row,
            time_ms: Number(row.time_ms),
            user_id: Number(row.user_id),
            product_id: Number(row.product_id),
            copies: Number(row.copies),
          }).toEqual({
            event_id: row.event_id,
            time_ms: e.dt.ms,
            name: e.name,
            user_id: e.user_id,
            url: e.url,
            obj: e.obj,
            obj_id: e.obj_id ?? '',
            product_id: e.product_id ?? 0,
            amount: e.amount ?? 0,
            exp_keys: exp.map(([k]) => k),
            exp_values: exp.map(([, v]) => v),
            copies: 1,
          });
        }
      }),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(accepted).toBeGreaterThanOrEqual(240);
  }, 240_000);
});

type Sent = ReturnType<typeof siteEvent.generate>['value'];

/** The body fields of a generated event, absent ones left out. */
function fields(e: Sent) {
  const { dt: time, name, user_id, url, obj, obj_id, product_id, amount, exp } = e;
  return Object.fromEntries(
    Object.entries({ dt: time.text, name, user_id, url, obj, obj_id, product_id, amount, exp }).filter(
      ([, v]) => v !== undefined,
    ),
  );
}
