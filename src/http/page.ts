import type { PageRequest } from '../store/catalog.ts';

/** `?limit=&after=` → a bounded page request. */
export const toPage = (query: { limit?: string | undefined; after?: string | undefined }): PageRequest => ({
  limit: Math.min(Number(query.limit ?? 100), 1000),
  after: Number(query.after ?? 0),
});
