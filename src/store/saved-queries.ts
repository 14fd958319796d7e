/** The SQL console's saved queries. */
export interface SavedQueries {
  list(): Promise<SavedQuery[]>;
  /** Creates the query or replaces the SQL of the one with this name. */
  save(name: string, sql: string): Promise<SavedQuery>;
  delete(id: number): Promise<void>;
}

export interface SavedQuery {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
  readonly updatedAt: number;
}
