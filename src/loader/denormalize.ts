import { isGuest, type StoredEvent, type User } from '../events/event.ts';

/** One row of steplog.events in the warehouse, as JSONEachRow. */
export interface WarehouseEventRow {
  event_id: string;
  time: string;
  user_id: number;
  join_date: string;
  registration_date: string | null;
  name: string;
  email: string;
  is_guest: 0 | 1;
  step_id: number;
  action_id: number;
  received_at: string;
}

/** ClickHouse DateTime text, UTC, whole seconds: every ClickHouse version parses it. */
export const toDateTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** Joins an event with its user's attributes as they are now. */
export function denormalize(event: StoredEvent, user: User): WarehouseEventRow {
  return {
    event_id: event.eventId,
    time: toDateTime(event.time),
    user_id: event.userId,
    join_date: toDateTime(user.joinDate),
    registration_date: user.registrationDate === null ? null : toDateTime(user.registrationDate),
    name: user.name,
    email: user.email,
    is_guest: isGuest(user) ? 1 : 0,
    step_id: event.stepId,
    action_id: event.actionId,
    received_at: toDateTime(event.receivedAt),
  };
}
