import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUserAndStep, startServer, type ServerProcess } from '../helpers/server.ts';

const MAX_EVENTS = 50;
const BODY_LIMIT = 65_536;
let server: ServerProcess;

/** A request as sent on the wire, and the field its answer must name (when one field is at fault). */
interface BadRequest {
  readonly path: string;
  readonly contentType: string;
  readonly body: string | Uint8Array;
  readonly field?: string;
}

const valid = { event_id: '0b1e3c4d-0000-4000-8000-000000000001', user_id: 1, step_id: 1, action_id: 0 };
const EVENT_FIELDS = ['event_id', 'user_id', 'step_id', 'action_id', 'time'] as const;
const json = (value: unknown, field?: string): BadRequest => ({
  path: '/api/events',
  contentType: 'application/json',
  body: JSON.stringify(value),
  ...(field === undefined ? {} : { field }),
});

const notAnId = fc.oneof(
  fc.integer({ max: 0 }),
  fc.integer({ min: 1, max: 2 ** 30 }).map((n) => 2 ** 32 - 1 + n),
  fc.double({ noInteger: true }),
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.nat(), { maxLength: 3 }),
);
const notAString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
const wrongValue = {
  event_id: fc.oneof(
    notAString,
    fc.string().filter((s) => !/^[0-9a-f-]{36}$/i.test(s)),
  ),
  user_id: notAnId,
  step_id: notAnId,
  action_id: fc.oneof(notAnId, fc.integer({ min: 3 }), fc.integer({ max: -1 })),
  time: fc.oneof(
    notAString,
    fc.string({ maxLength: 30 }).filter((s) => Number.isNaN(Date.parse(s))),
  ),
};

const wrongType = fc
  .constantFrom(...EVENT_FIELDS)
  .chain((field) => wrongValue[field].map((value) => json({ ...valid, [field]: value }, field)));
const missing = fc
  .constantFrom('user_id', 'step_id', 'action_id')
  .map((field) => json(Object.fromEntries(Object.entries(valid).filter(([k]) => k !== field)), field));
const unknownField = fc
  .tuple(
    fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !(EVENT_FIELDS as readonly string[]).includes(k)),
    fc.jsonValue(),
  )
  .map(([key, value]) => ({
    ...json({ ...valid, [key]: value }),
    body: JSON.stringify(valid).replace(/}$/, `,${JSON.stringify(key)}:${JSON.stringify(value)}}`),
  }));
const hugeString = fc
  .tuple(fc.constantFrom(...EVENT_FIELDS, 'name'), fc.integer({ min: 1_000, max: 200_000 }))
  .map(([field, length]) => json({ ...valid, [field]: 'x'.repeat(length) }));
const deepNesting = fc
  .tuple(fc.constantFrom('user_id', 'time', 'extra'), fc.integer({ min: 100, max: 20_000 }))
  .map(([field, depth]) => ({
    ...json(valid),
    body: JSON.stringify(valid).replace(/}$/, `,"${field}":${'['.repeat(depth)}${']'.repeat(depth)}}`),
  }));
const invalidUtf8 = fc
  .tuple(fc.constantFrom('event_id', 'time'), fc.uint8Array({ minLength: 1, maxLength: 8 }))
  .map(([field, bytes]) => ({
    ...json(valid),
    body: Buffer.concat([
      Buffer.from(JSON.stringify(valid).replace(/}$/, `,"${field}":"`)),
      Buffer.from([0xff, 0xc3, ...bytes.map((b) => b | 0x80)]),
      Buffer.from('"}'),
    ]),
  }));
const notJson = fc
  .string({ minLength: 1, maxLength: 200 })
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  })
  .map((body) => ({ ...json(valid), body }));
const wrongContentType = fc
  .constantFrom(
    'text/plain',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'image/png',
  )
  .map((contentType) => ({ ...json(valid), contentType }));
const timeOutOfRange = fc
  .oneof(
    fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('1969-12-31T23:59:59Z'), noInvalidDate: true }),
    fc.date({ min: new Date(Date.now() + 2 * 86_400_000), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }),
  )
  .map((date) => json({ ...valid, time: date.toISOString() }, 'time'));
const unknownReference = fc
  .tuple(fc.constantFrom('user_id', 'step_id'), fc.integer({ min: 1000, max: 2 ** 31 - 1 }))
  .map(([field, id]) => json({ ...valid, [field]: id }, field));
const badBatch = fc.oneof(
  fc.integer({ min: MAX_EVENTS + 1, max: 3 * MAX_EVENTS }).map((n) => ({
    ...json({ events: Array.from({ length: n }, () => valid) }),
    path: '/api/events/batch',
    field: 'events',
  })),
  fc.oneof(notAString, fc.constant([]), fc.object()).map((events) => ({
    ...json({ events }),
    path: '/api/events/batch',
    field: 'events',
  })),
  fc.constant({ ...json({}), path: '/api/events/batch', field: 'events' }),
  fc.constant({ ...json({ events: [valid], extra: 1 }), path: '/api/events/batch', field: 'extra' }),
);
const badUser = fc.oneof(
  fc.integer({ min: 201, max: 5_000 }).map((n) => ({ ...json({ name: 'é'.repeat(n) }, 'name'), path: '/api/users' })),
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((s) => !s.includes('@'))
    .map((email) => ({ ...json({ name: 'Ana', email }, 'email'), path: '/api/users' })),
  notAnId.map((id) => ({ ...json({ id, name: 'Ana' }, 'id'), path: '/api/users' })),
);

const badRequest: fc.Arbitrary<BadRequest> = fc.oneof(
  wrongType,
  missing,
  unknownField,
  hugeString,
  deepNesting,
  invalidUtf8,
  notJson,
  wrongContentType,
  timeOutOfRange,
  unknownReference,
  badBatch,
  badUser,
);

const counts = async () => ({
  backlog: (await api(server.url, 'GET', '/healthz')).body.backlog,
  users: (await api(server.url, 'GET', '/api/users?limit=1000')).body.users.length,
});

beforeAll(async () => {
  server = await startServer({
    STEPLOG_MAX_EVENTS_PER_REQUEST: String(MAX_EVENTS),
    STEPLOG_BODY_LIMIT: String(BODY_LIMIT),
    STEPLOG_FLUSH_INTERVAL: '1h',
  });
  await createUserAndStep(server.url);
  expect((await api(server.url, 'POST', '/api/events', valid)).status).toBe(202);
});
afterAll(async () => {
  await server.stop();
});

describe('malformed requests', () => {
  it('each gets a 4xx JSON error naming the problem; the server stays up and stores nothing', async () => {
    const before = await counts();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(badRequest, async (request) => {
        const response = await fetch(`${server.url}${request.path}`, {
          method: 'POST',
          headers: { 'content-type': request.contentType, authorization: `Bearer ${server.keys.admin}` },
          body: request.body,
        });
        const body = (await response.json()) as { error?: unknown; message?: unknown; field?: unknown };
        sent += 1;
        expect(response.status, JSON.stringify(body)).toBeGreaterThanOrEqual(400);
        expect(response.status, JSON.stringify(body)).toBeLessThan(500);
        expect(typeof body.error).toBe('string');
        expect(typeof body.message).toBe('string');
        if (request.field !== undefined)
          expect(`${String(body.field)} ${String(body.message)}`).toContain(request.field);
      }),
      { numRuns: 1_200, seed: 20261123 },
    );
    expect(sent).toBeGreaterThanOrEqual(1_000);
    expect(await counts()).toEqual(before);
    expect(server.child.exitCode).toBeNull();
  });
});
