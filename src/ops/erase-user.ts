import { AppError } from '../errors/app-error.ts';
import { rebuildAggregates } from '../analytics/rebuild-aggregates.ts';
import type { LoadScheduler } from '../loader/scheduler.ts';
import type { Transport } from '../queue/transport.ts';
import type { Catalog } from '../store/catalog.ts';
import { ConflictError } from '../store/errors.ts';
import type { UserErasureStore } from '../store/user-erasure.ts';
import { deleteRows } from '../warehouse/mutations.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';

/** What erasing a user removed. */
export interface Erasure {
  readonly userId: number;
  /** Rows deleted from steplog.events (their denormalized name and email with them). */
  readonly warehouseEvents: number;
  /** The UTC days of those events, whose months' aggregates were rebuilt; null when none. */
  readonly days: { readonly from: string; readonly to: string } | null;
}

export class UnknownUserError extends AppError {
  readonly code = 'not_found';
  readonly httpStatus = 404;

  constructor(readonly userId: number) {
    super(`no user has id ${userId}`, { field: 'id' });
  }
}

const IDS_PER_STATEMENT = 2_000;

/**
 * Erases a person: their events are DELETED, not pseudonymised — steplog's events say nothing
 * useful once cut from the person, and a pseudonym would still single them out. In the warehouse
 * the raw rows (with the denormalized name and email) and their delivery-ledger rows go, then the
 * -State aggregates of the months they had events in (and step_progress, always whole) are
 * rebuilt from the remaining rows (rebuildAggregates); in the store their dead letters, outbox entries,
 * events and user row go in one transaction, last, so a run cut off halfway can be run again.
 * Loads are held off throughout (LoadScheduler.exclusive): no batch of theirs can land meanwhile.
 */
export async function eraseUser(
  deps: {
    readonly catalog: Pick<Catalog, 'getUser'>;
    readonly userErasure: UserErasureStore;
    readonly transport: Pick<Transport, 'discard'>;
    readonly warehouse: Warehouse;
    readonly scheduler: Pick<LoadScheduler, 'exclusive'>;
  },
  userId: number,
): Promise<Erasure> {
  const { catalog, userErasure, transport, warehouse, scheduler } = deps;
  return scheduler.exclusive(async () => {
    if ((await catalog.getUser(userId)) === undefined) throw new UnknownUserError(userId);
    if ((await userErasure.inDoubtEvents(userId)) > 0) {
      throw new ConflictError('id', `a load of user ${userId}'s events is in doubt; retry once the next load succeeds`);
    }
    const user = `CAST(${userId} AS UInt32)`;
    const [span] = await warehouse.query<{ events: string | number; first: string; last: string }>(
      `SELECT count() AS events, toString(min(toDate(time))) AS first, toString(max(toDate(time))) AS last ` +
        `FROM ${WAREHOUSE_DB}.events WHERE user_id = ${user}`,
    );
    const events = Number(span?.events ?? 0);
    const eventIds = await warehouse.query<{ event_id: string }>(
      `SELECT toString(event_id) AS event_id FROM ${WAREHOUSE_DB}.events WHERE user_id = ${user}`,
    );
    for (let i = 0; i < eventIds.length; i += IDS_PER_STATEMENT) {
      const ids = eventIds.slice(i, i + IDS_PER_STATEMENT).map((row) => `toUUID('${row.event_id}')`);
      await deleteRows(warehouse, 'event_deliveries', `event_id IN (${ids.join(', ')})`);
    }
    await deleteRows(warehouse, 'events', `user_id = ${user}`);
    const days = events > 0 ? { from: span!.first, to: span!.last } : null;
    if (days) await rebuildAggregates(warehouse, days);
    await userErasure.erase(userId, transport.discard);
    return { userId, warehouseEvents: events, days };
  });
}
