import { describe, expect, it } from 'vitest';
import { EventInput } from '../../src/events/schemas.ts';
import { compileValidator } from '../../src/ingest/validate.ts';

const validate = compileValidator(EventInput);

const UUID_FORM = 'a UUID in the 8-4-4-4-12 hex form (no urn:uuid: prefix, no braces)';

describe('event validation', () => {
  it('accepts a minimal event', () => {
    expect(validate({ user_id: 1, step_id: 1, action_id: 0 }).ok).toBe(true);
  });

  it.each([
    [{ step_id: 1, action_id: 0 }, 'user_id', 'user_id is required'],
    [{ user_id: 1, step_id: 1, action_id: 0, color: 'red' }, 'color', 'color is not a known field'],
    [{ user_id: 1.5, step_id: 1, action_id: 0 }, 'user_id', 'user_id must be integer'],
    [{ user_id: 1, step_id: 0, action_id: 0 }, 'step_id', 'step_id must be >= 1'],
    [{ user_id: 1, step_id: 4_294_967_296, action_id: 0 }, 'step_id', 'step_id must be <= 4294967295'],
    [{ user_id: 1, step_id: 1, action_id: 0, time: 'yesterday' }, 'time', 'time must match format "date-time"'],
    [{ user_id: 1, step_id: 1, action_id: 0, event_id: 'x' }, 'event_id', `event_id must be ${UUID_FORM}`],
    [
      { user_id: 1, step_id: 1, action_id: 0, event_id: 'urn:uuid:a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12' },
      'event_id',
      `event_id must be ${UUID_FORM}`,
    ],
    [[1, 2], 'body', 'body must be object'],
    [null, 'body', 'body must be object'],
  ])('rejects %j naming %s', (input, field, message) => {
    expect(validate(input)).toEqual({ ok: false, field, message });
  });
});
