import { AppError } from '../errors/app-error.ts';
import { rebuildAggregates } from '../analytics/rebuild-aggregates.ts';
import { FAMILY_TABLES, type EventFamily } from '../warehouse/event-families.ts';
import type { StoredSiteEvent } from '../events/site-event.ts';
import type { LoadScheduler } from '../loader/scheduler.ts';
import type { Transport } from '../queue/transport.ts';
import type { Catalog } from '../store/catalog.ts';
import { ConflictError } from '../store/errors.ts';
import type { UserErasureStore } from '../store/user-erasure.ts';
import { deleteRows } from '../warehouse/mutations.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';

/** The UTC days of the erased rows, whose months' aggregates were rebuilt; null when none. */
export type ErasedDays = { readonly from: string; readonly to: string } | null;

/** What erasing a user removed. */
export interface Erasure {
  readonly userId: number;
  /** Rows deleted from steplog.events (their denormalized name and email with them). */
  readonly warehouseEvents: number;
  readonly days: ErasedDays;
  /** Rows deleted from steplog.site_events: the site visitor with the same id. */
  readonly siteEvents: number;
  readonly siteDays: ErasedDays;
}

export class UnknownUserError extends AppError {
  readonly code = 'not_found';
  readonly httpStatus = 404;

  constructor(readonly userId: number) {
    super(`no user or site visitor has id ${userId}`, { field: 'id' });
  }
}

const IDS_PER_STATEMENT = 2_000;

export interface ErasureDeps {
  readonly catalog: Pick<Catalog, 'getUser'>;
  readonly userErasure: UserErasureStore;
  readonly transport: Pick<Transport, 'discard'>;
  readonly siteTransport: Pick<Transport<StoredSiteEvent>, 'discard'>;
  readonly warehouse: Warehouse;
  readonly scheduler: Pick<LoadScheduler, 'exclusive'>;
  /** How long one warehouse DELETE may take (STEPLOG_MUTATION_TIMEOUT). */
  readonly mutationTimeoutMs: number;
}

/**
 * Erases a person: their events are DELETED, not pseudonymised — steplog's events say nothing
 * useful once cut from the person, and a pseudonym would still single them out. The site visitor
 * with the same id goes too, also deleted: a visitor id is already a pseudonym, and replacing it
 * with another would keep the linkable trail of pages, clicks and purchases (still personal data).
 * In the warehouse, per family, the raw rows (the learning ones with the denormalized name and
 * email) and their delivery-ledger rows go, then the -State aggregates of the months they had
 * events in (and step_progress, always whole) are rebuilt from the remaining rows; in the store
 * their site events, then their events and user row go (each in one transaction, with the
 * transport's queue entries and dead letters), last, so a run cut off halfway can be run again.
 * Loads are held off throughout (LoadScheduler.exclusive): no batch of theirs can land meanwhile.
 */
export async function eraseUser(deps: ErasureDeps, userId: number): Promise<Erasure> {
  const { catalog, userErasure, transport, siteTransport, warehouse, scheduler } = deps;
  return scheduler.exclusive(async () => {
    const known = (await catalog.getUser(userId)) !== undefined;
    if ((await userErasure.inDoubtEvents(userId)) + (await userErasure.siteInDoubtEvents(userId)) > 0) {
      throw new ConflictError('id', `a load of user ${userId}'s events is in doubt; retry once the next load succeeds`);
    }
    const learning = await eraseFromWarehouse(warehouse, 'learning', userId, deps.mutationTimeoutMs);
    const site = await eraseFromWarehouse(warehouse, 'site', userId, deps.mutationTimeoutMs);
    const siteStored = await userErasure.eraseSiteVisitor(userId, siteTransport.discard);
    await userErasure.erase(userId, transport.discard);
    if (!known && site.events === 0 && siteStored === 0) throw new UnknownUserError(userId);
    return {
      userId,
      warehouseEvents: learning.events,
      days: learning.days,
      siteEvents: site.events,
      siteDays: site.days,
    };
  });
}

/** Deletes one family's rows of `userId` and their ledger rows, then rebuilds the aggregates of their days. */
async function eraseFromWarehouse(
  warehouse: Warehouse,
  family: EventFamily,
  userId: number,
  timeoutMs: number,
): Promise<{ events: number; days: ErasedDays }> {
  const tables = FAMILY_TABLES[family];
  const { events: table, deliveries, userType } = tables;
  const user = `CAST(${userId} AS ${userType})`;
  const [span] = await warehouse.query<{ events: string | number; first: string; last: string }>(
    `SELECT count() AS events, toString(min(toDate(time))) AS first, toString(max(toDate(time))) AS last ` +
      `FROM ${WAREHOUSE_DB}.${table} WHERE user_id = ${user}`,
  );
  const events = Number(span?.events ?? 0);
  if (events === 0) return { events, days: null };
  const eventIds = await warehouse.query<{ event_id: string }>(
    `SELECT toString(event_id) AS event_id FROM ${WAREHOUSE_DB}.${table} WHERE user_id = ${user}`,
  );
  for (let i = 0; i < eventIds.length; i += IDS_PER_STATEMENT) {
    const ids = eventIds.slice(i, i + IDS_PER_STATEMENT).map((row) => `toUUID('${row.event_id}')`);
    await deleteRows(warehouse, deliveries, `event_id IN (${ids.join(', ')})`, timeoutMs);
  }
  await deleteRows(warehouse, table, `user_id = ${user}`, timeoutMs);
  const days = { from: span!.first, to: span!.last };
  await rebuildAggregates(warehouse, days, tables);
  return { events, days };
}
