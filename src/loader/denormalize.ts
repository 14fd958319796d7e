import { isGuest, type StoredEvent, type User } from '../events/event.ts';
import type { Catalog } from '../store/catalog.ts';
import { completeViews } from './complete-views.ts';
import type { LoadFamily } from './family.ts';

/** One row of steplog.events in the warehouse, as JSONEachRow. */
export interface WarehouseEventRow {
  event_id: string;
  time: string;
  /** The same instant as `time` in epoch milliseconds (DateTime holds whole seconds). */
  time_ms: number;
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

type UserColumns = Pick<WarehouseEventRow, 'join_date' | 'registration_date' | 'name' | 'email' | 'is_guest'>;

/** ClickHouse DateTime text, UTC, whole seconds: every ClickHouse version parses it. */
export const toDateTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

const userColumns = (user: User): UserColumns => ({
  join_date: toDateTime(user.joinDate),
  registration_date: user.registrationDate === null ? null : toDateTime(user.registrationDate),
  name: user.name,
  email: user.email,
  is_guest: isGuest(user) ? 1 : 0,
});

/**
 * Joins events with their users' attributes as they are now. The user columns are formatted once
 * per user, not once per event: a batch holds many events of the same users.
 */
export function denormalizer(users: ReadonlyMap<number, User>): (event: StoredEvent) => WarehouseEventRow {
  const columns = new Map<number, UserColumns>();
  return (event) => {
    let user = columns.get(event.userId);
    if (!user) {
      const found = users.get(event.userId);
      if (!found) throw new Error(`user ${event.userId} of a stored event is missing from the store`);
      user = userColumns(found);
      columns.set(event.userId, user);
    }
    return {
      event_id: event.eventId,
      time: toDateTime(event.time),
      time_ms: event.time,
      user_id: event.userId,
      ...user,
      step_id: event.stepId,
      action_id: event.actionId,
      received_at: toDateTime(event.receivedAt),
    };
  };
}

/** Learning events, joined with their users' attributes, into steplog.events. */
export const learningFamily = (users: Pick<Catalog, 'getUsers'>): LoadFamily<StoredEvent, WarehouseEventRow> => ({
  table: 'events',
  completeViews,
  denormalize: async (events) => events.map(denormalizer(await users.getUsers(events.map((e) => e.userId)))),
});
