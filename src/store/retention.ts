/** Expiring old rows from the OLTP store (STEPLOG_RETENTION). */
export interface RetentionStore {
  /**
   * Deletes the events whose time is before `time` (epoch ms) that are delivered — neither in
   * the backlog nor dead letters, which stay until they are loaded or dropped; answers how many.
   */
  deleteDeliveredBefore(time: number): Promise<number>;
  /** The same for site events. */
  deleteDeliveredSiteBefore(time: number): Promise<number>;
}
