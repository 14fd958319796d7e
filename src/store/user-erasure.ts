/** Erasing a person from the OLTP store (the right to erasure); the warehouse side is src/ops/erase-user.ts. */
export interface UserErasureStore {
  /** The user's undelivered events that belong to a formed batch: a load of them is in doubt. */
  inDoubtEvents(userId: number): Promise<number>;
  /**
   * Deletes the user's dead letters, outbox entries, events and then the user, in one
   * transaction; false when there is no such user. New events for the id are refused from then on.
   */
  erase(userId: number): Promise<boolean>;
}
