import { describe, expect, it } from 'vitest';
import { normalizeEvent } from '../../src/ingest/normalize.ts';

const now = Date.UTC(2026, 10, 23, 12);

describe('normalizeEvent', () => {
  it('makes a time-ordered UUIDv7 and takes the receive time when absent', () => {
    const a = normalizeEvent({ user_id: 1, step_id: 2, action_id: 0 }, now);
    const b = normalizeEvent({ user_id: 1, step_id: 2, action_id: 0 }, now);
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a.event.eventId < b.event.eventId).toBe(true);
    expect(a.event.time).toBe(now);
    expect(a.event.minted).toBe(true);
  });

  it('lower-cases a client UUID and converts offsets to UTC', () => {
    const result = normalizeEvent(
      {
        event_id: 'A1B2C3D4-0000-4000-8000-00000000000F',
        time: '2026-11-23T15:00:00+03:00',
        user_id: 1,
        step_id: 2,
        action_id: 2,
      },
      now,
    );
    expect(result).toEqual({
      ok: true,
      event: {
        eventId: 'a1b2c3d4-0000-4000-8000-00000000000f',
        time: now,
        userId: 1,
        stepId: 2,
        actionId: 2,
        minted: false,
      },
    });
  });

  it.each([
    ['1969-12-31T23:59:59Z', 'before 1970'],
    ['2026-11-25T12:00:01Z', 'in the future'],
  ])('rejects time %s (%s)', (time) => {
    expect(normalizeEvent({ time, user_id: 1, step_id: 2, action_id: 0 }, now)).toMatchObject({
      ok: false,
      field: 'time',
    });
  });
});
