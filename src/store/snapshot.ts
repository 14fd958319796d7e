/** What a backup needs of the OLTP store. */
export interface StoreSnapshot {
  /**
   * Why steplog cannot copy this store itself, naming the tool to use instead; null when it can.
   */
  readonly refusal: string | null;
  /** Events of any family in a formed batch not yet settled: a load of them is in doubt. */
  batchesInDoubt(): Promise<number>;
  /** Writes a consistent copy of the whole store to `target` (a file that must not exist) while it is in use. */
  copyTo(target: string): Promise<void>;
}
