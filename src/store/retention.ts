/** Expiring old rows from the OLTP store (STEPLOG_RETENTION, STEPLOG_DEDUP_WINDOW). */
export interface RetentionStore {
  /**
   * Deletes the events whose time is before `time` (epoch ms) that are delivered — neither in
   * the backlog nor dead letters, which stay until they are loaded or dropped; answers how many.
   */
  deleteDeliveredBefore(time: number): Promise<number>;
  /** The same for site events. */
  deleteDeliveredSiteBefore(time: number): Promise<number>;
  /**
   * The dedup horizon: forgets the delivered events (learning and site) received before
   * `receivedAt` (epoch ms), so their event_ids no longer answer `duplicate: true`. Undelivered
   * events and dead letters stay whatever their age. Deletes in short statements, so commits go
   * on between them. Answers how many were forgotten.
   */
  forgetDeliveredReceivedBefore(receivedAt: number): Promise<number>;
}
