import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpError, registerErrorHandler } from '../../src/http/errors.ts';
import { BacklogFullError } from '../../src/ingest/backlog-gauge.ts';
import { ConflictError, StoreUnavailableError } from '../../src/store/errors.ts';
import { WarehouseError, WarehouseRejectedError } from '../../src/warehouse/warehouse.ts';

/**
 * Each layer's error answers with the status and body it answered with when the handler was an
 * `instanceof` chain (written down from that handler): the errors carry them now.
 */
const cases = [
  {
    error: new HttpError(404, 'not_found', 'user 7 does not exist', 'id'),
    status: 404,
    body: { error: 'not_found', message: 'user 7 does not exist', field: 'id' },
  },
  {
    error: new ConflictError('email', 'a user with this email exists'),
    status: 409,
    body: { error: 'conflict', message: 'a user with this email exists', field: 'email' },
  },
  {
    error: new BacklogFullError(10, 10),
    status: 503,
    retryAfter: '2',
    body: {
      error: 'backlog_full',
      message: 'the undelivered backlog holds 10 events (bound 10); retry once the loader catches up',
    },
  },
  {
    error: new StoreUnavailableError('SQLITE_FULL: database or disk is full at /secret/path'),
    status: 503,
    retryAfter: '2',
    logged: 'store unavailable',
    body: { error: 'store_unavailable', message: 'storage cannot accept writes now; nothing was written' },
  },
  {
    error: new WarehouseError('connection refused'),
    status: 503,
    retryAfter: '2',
    logged: 'warehouse unavailable',
    body: { error: 'warehouse_unavailable', message: 'connection refused' },
  },
  {
    error: new WarehouseRejectedError('Cannot parse input'),
    status: 503,
    retryAfter: '2',
    logged: 'warehouse unavailable',
    body: { error: 'warehouse_unavailable', message: 'Cannot parse input' },
  },
  {
    error: new Error('a bug with internals'),
    status: 500,
    logged: 'request failed',
    body: { error: 'internal', message: 'internal error; it has been logged' },
  },
];

const logged: string[] = [];
const app = Fastify({
  logger: {
    level: 'warn',
    stream: { write: (line: string) => void logged.push((JSON.parse(line) as { msg: string }).msg) },
  },
});
registerErrorHandler(app);
cases.forEach(({ error }, index) =>
  app.get(`/throws/${index}`, () => {
    throw error;
  }),
);
afterAll(() => app.close());

describe('the error handler', () => {
  it.each(cases.map((c, index) => ({ ...c, index, name: c.error.name })))(
    '$name answers $status with its own code',
    async ({ index, status, body, retryAfter, logged: logLine }) => {
      logged.length = 0;
      const response = await app.inject({ method: 'GET', url: `/throws/${index}` });
      expect(response.statusCode).toBe(status);
      expect(response.json()).toStrictEqual(body);
      expect(response.headers['retry-after']).toBe(retryAfter);
      expect(logged).toEqual(logLine === undefined ? [] : [logLine]);
    },
  );

  it('answers a schema violation 400 naming the field', async () => {
    const validated = Fastify();
    registerErrorHandler(validated);
    validated.get(
      '/q',
      { schema: { querystring: { type: 'object', properties: { n: { type: 'integer' } } } } },
      () => 'ok',
    );
    const response = await validated.inject({ method: 'GET', url: '/q?n=x' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toStrictEqual({
      error: 'validation',
      message: 'querystring.n must be integer',
      field: 'querystring.n',
    });
    await validated.close();
  });
});
