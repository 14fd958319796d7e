import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidFor } from '../helpers/fixtures.ts';
import { api, createUserAndStep, startServer, type ServerProcess } from '../helpers/server.ts';

let server: ServerProcess;

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '200ms' });
  await createUserAndStep(server.url);
});
afterAll(async () => {
  await server.stop();
});

describe('client retries of the same event_id racing each other', () => {
  it('store one event, answer every retry with it, and load it once', async () => {
    for (let round = 1; round <= 5; round++) {
      const event = { event_id: uuidFor(round), user_id: 1, step_id: 1, action_id: 1, time: '2026-11-01T10:00:00Z' };
      const answers = await Promise.all([
        ...Array.from({ length: 20 }, () => api(server.url, 'POST', '/api/events', event)),
        ...Array.from({ length: 5 }, () => api(server.url, 'POST', '/api/events/batch', { events: [event, event] })),
      ]);
      const results = answers.flatMap((a) => (a.body.results ?? [a.body]) as { id: number; duplicate: boolean }[]);
      expect(answers.every((a) => a.status === 202)).toBe(true);
      expect(new Set(results.map((r) => r.id)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
    }
    await api(server.url, 'POST', '/api/imports');
    const ids = Array.from({ length: 5 }, (_, i) => uuidFor(i + 1));
    const { body } = await api(server.url, 'POST', '/api/verify/events', { event_ids: ids });
    expect(body.events.map((e: { copies: number }) => e.copies)).toEqual([1, 1, 1, 1, 1]);
    expect((await api(server.url, 'GET', '/healthz')).body.backlog).toBe(0);
  });
});
