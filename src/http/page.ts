import type { PageRequest } from '../store/catalog.ts';

/** `?limit=&after=` → a bounded page request. */
export const toPage = (query: { limit?: string | undefined; after?: string | undefined }): PageRequest => ({
  limit: Math.min(Number(query.limit ?? 100), 1000),
  after: Number(query.after ?? 0),
});

/** `?after=` of a newest-first list (import jobs): the ids below it, or no bound. */
export const olderThan = (after: string | undefined): number | undefined =>
  after === undefined ? undefined : Number(after);
