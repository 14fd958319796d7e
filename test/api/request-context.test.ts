import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUserAndStep, startServer, type ServerProcess } from '../helpers/server.ts';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ STEPLOG_LOG_LEVEL: 'info', STEPLOG_FLUSH_INTERVAL: '1h' });
});
afterAll(() => server?.stop());

/** The JSON log lines the server printed that carry this request id. */
const linesOf = (requestId: string) =>
  server
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => line.reqId === requestId);

async function send(route: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}${route}`, init);
}

describe('request ids', () => {
  it('echo the caller’s x-request-id, and make a UUID when there is none or it is not a plain token', async () => {
    expect((await send('/healthz', { headers: { 'x-request-id': 'edge-42.a' } })).headers.get('x-request-id')).toBe(
      'edge-42.a',
    );
    const made = (await send('/healthz')).headers.get('x-request-id');
    expect(made).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await send('/healthz')).headers.get('x-request-id')).not.toBe(made);
    const forged = (await send('/healthz', { headers: { 'x-request-id': 'has space "quote"' } })).headers.get(
      'x-request-id',
    );
    expect(forged).toMatch(/^[0-9a-f-]{36}$/);
    // Also on refusals and unknown routes.
    expect((await send('/api/users', { headers: { 'x-request-id': 'r-401' } })).headers.get('x-request-id')).toBe(
      'r-401',
    );
    expect((await send('/nowhere', { headers: { 'x-request-id': 'r-404' } })).headers.get('x-request-id')).toBe(
      'r-404',
    );
  });

  it('are on every line logged while the request is handled, by the route and by the pipeline, once', async () => {
    await send('/api/users', { headers: { 'x-request-id': 'refused-1' } });
    await until(() => linesOf('refused-1').length > 0);
    expect(linesOf('refused-1').map((line) => line.audit)).toEqual(['auth_refused']);
    // A load run by a request logs from the loader, a logger the request never saw.
    await createUserAndStep(server.url);
    expect((await api(server.url, 'POST', '/api/events', { user_id: 1, step_id: 1, action_id: 0 })).status).toBe(202);
    const response = await send('/api/imports', {
      method: 'POST',
      headers: { authorization: `Bearer ${server.keys.admin}`, 'x-request-id': 'load-1' },
    });
    expect(response.status).toBe(200);
    await until(() => linesOf('load-1').length > 0);
    expect(linesOf('load-1')).toContainEqual(
      expect.objectContaining({ component: 'loader', msg: 'load done', rows: 1 }),
    );
    expect(server.output()).not.toMatch(/"reqId":"[^"]*","reqId"/);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 10_000; !done();) {
    if (Date.now() > deadline) throw new Error('no such log line');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
