/** Erasing a person from the OLTP store (the right to erasure); the warehouse side is src/ops/erase-user.ts. */
export interface UserErasureStore {
  /** The user's undelivered events that belong to a formed batch: a load of them is in doubt. */
  inDoubtEvents(userId: number): Promise<number>;
  /**
   * Deletes the user's events and then the user in one transaction, inside which `discard` makes
   * the transport forget those events (queue entries, dead letters); false when there is no such
   * user. New events for the id are refused from then on.
   */
  erase(userId: number, discard: Discard): Promise<boolean>;
  /** The site visitor's undelivered events that belong to a formed batch. */
  siteInDoubtEvents(visitorId: number): Promise<number>;
  /**
   * Deletes the site visitor's events in one transaction, inside which `discard` makes the site
   * transport forget them; answers how many went.
   */
  eraseSiteVisitor(visitorId: number, discard: Discard): Promise<number>;
}

/**
 * The transport's side of an erasure, run inside the store's transaction: `transaction` is the
 * store's own handle, which only a transport keeping its queue in the same database looks into.
 */
export type Discard = (transaction: unknown, eventIds: readonly number[]) => Promise<void>;
