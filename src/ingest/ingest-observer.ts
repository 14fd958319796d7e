/** The event families steplog ingests; each is counted apart. */
export type EventFamily = 'learning' | 'site';

/** Why ingest refused events: one value per answer a client can get. */
export const REJECTION_REASONS = [
  'validation',
  'unknown_reference',
  'expired',
  'backlog_full',
  'store_unavailable',
  'malformed_json',
  'body_too_large',
  'unsupported_media_type',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** What ingest tells about the events it answers (metrics); the pipeline imports no metrics library. */
export interface IngestObserver {
  /** Events answered 2xx (a repeated event_id included: the client is told it is stored). */
  accepted(family: EventFamily, count: number): void;
  rejected(family: EventFamily, reason: RejectionReason, count: number): void;
}
