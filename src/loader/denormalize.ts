import type { StoredEvent } from '../events/event.ts';
import type { Catalog } from '../store/catalog.ts';
import { FAMILY_TABLES } from '../warehouse/event-families.ts';
import { completeViews } from './complete-views.ts';
import type { LoadFamily } from './family.ts';
import { UserColumnsCache, type UserColumns } from './user-columns.ts';
import { toEpochSeconds } from './warehouse-time.ts';

/** One row of steplog.events in the warehouse, as JSONEachRow; DateTime columns as epoch seconds. */
export interface WarehouseEventRow {
  event_id: string;
  time: number;
  /** The same instant as `time` in epoch milliseconds (DateTime holds whole seconds). */
  time_ms: number;
  user_id: number;
  join_date: number;
  registration_date: number | null;
  name: string;
  email: string;
  is_guest: 0 | 1;
  step_id: number;
  action_id: number;
  received_at: number;
}

/** Joins events with their users' attributes as they are now (columns formatted once per user: UserColumnsCache). */
export function denormalizer(users: ReadonlyMap<number, UserColumns>): (event: StoredEvent) => WarehouseEventRow {
  return (event) => {
    const user = users.get(event.userId);
    if (!user) throw new Error(`user ${event.userId} of a stored event is missing from the store`);
    return {
      event_id: event.eventId,
      time: toEpochSeconds(event.time),
      time_ms: event.time,
      user_id: event.userId,
      ...user,
      step_id: event.stepId,
      action_id: event.actionId,
      received_at: toEpochSeconds(event.receivedAt),
    };
  };
}

/** Learning events, joined with their users' attributes, into steplog.events; users cached for up to `batchSize`. */
export function learningFamily(
  users: Pick<Catalog, 'getUsers' | 'usersVersion'>,
  batchSize: number,
): LoadFamily<StoredEvent, WarehouseEventRow> {
  const cache = new UserColumnsCache(users, batchSize);
  return {
    table: FAMILY_TABLES.learning.events,
    completeViews,
    denormalize: async (events) => events.map(denormalizer(await cache.of(events.map((e) => e.userId)))),
  };
}
