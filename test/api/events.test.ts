import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApp } from '../helpers/app.ts';

const { runtime, app, authorization, close } = await openApp();
beforeAll(async () => {
  await runtime.store.catalog.createUser({ name: 'u', email: '', joinDate: 0, registrationDate: null });
  await runtime.store.catalog.createTask({ title: 's', text: '' });
});
afterAll(close);

const post = (url: string, payload: unknown) =>
  app.inject({ method: 'POST', url, headers: { authorization }, payload: payload as object });

/** Almost-events: each field missing, of another type, out of range or unknown. */
const almostEvent = fc.record(
  {
    event_id: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
    time: fc.oneof(fc.constant('2026-10-01T00:00:00Z'), fc.string(), fc.integer()),
    user_id: fc.oneof(fc.constant(1), fc.integer({ min: -2, max: 2 }), fc.string(), fc.double()),
    step_id: fc.oneof(fc.constant(1), fc.constant(4_294_967_296), fc.constant(null)),
    action_id: fc.oneof(fc.constantFrom(0, 1, 2), fc.integer({ min: 3, max: 9 }), fc.boolean()),
    extra: fc.string(),
  },
  { requiredKeys: [] },
);

describe('POST /api/events', () => {
  it('refuses an event with the same error the batch route gives the same event', async () => {
    await fc.assert(
      fc.asyncProperty(almostEvent, async (event) => {
        const single = await post('/api/events', event);
        const batch = await post('/api/events/batch', { events: [event] });
        expect(batch.statusCode).toBe(202);
        const [item] = batch.json().results;
        // Not `return expect(…)`: a matcher returns a chai Assertion, which fast-check takes for a failure.
        if (item.status === 'accepted') {
          expect(single.statusCode).toBe(202);
          return;
        }
        expect(single.statusCode, JSON.stringify(event)).toBe(item.error.error === 'unknown_reference' ? 422 : 400);
        expect(single.json()).toStrictEqual(item.error);
      }),
      { numRuns: 300 },
    );
  });

  it('names the field of the first problem', async () => {
    const answer = await post('/api/events', { user_id: 1, step_id: 1, action_id: 7 });
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toStrictEqual({ error: 'validation', message: 'action_id must be <= 2', field: 'action_id' });
  });
});
