import { uuidv7 } from 'uuidv7';
import type { ActionId, NewEvent } from '../events/event.ts';
import type { EventInput } from '../events/schemas.ts';
import { parseTimestamp } from '../events/timestamp.ts';

/** How far ahead of the server clock an event time may be (client clock skew). */
export const MAX_FUTURE_MS = 24 * 3600 * 1000;

export type Normalized<E = NewEvent> = { ok: true; event: E } | { ok: false; field: string; message: string };

/** Turns a schema-valid input into the stored form: UUID made or lower-cased, time parsed and bounded. */
export function normalizeEvent(input: EventInput, now: number): Normalized {
  let time = now;
  if (input.time !== undefined) {
    const parsed = parseTimestamp(input.time, 'time');
    if (!parsed.ok) return { ok: false, field: 'time', message: parsed.message };
    time = parsed.ms;
    if (time > now + MAX_FUTURE_MS) {
      return { ok: false, field: 'time', message: 'time must not be more than 24 hours in the future' };
    }
  }
  return {
    ok: true,
    event: {
      eventId: input.event_id?.toLowerCase() ?? uuidv7(),
      minted: input.event_id === undefined,
      time,
      userId: input.user_id,
      stepId: input.step_id,
      actionId: input.action_id as ActionId,
    },
  };
}
