/**
 * The first UTC day STEPLOG_RETENTION keeps (YYYY-MM-DD): the first of the month holding now −
 * retention. Months before it are dropped whole, so nothing may be accepted for them.
 */
export function keptFromDay(retentionMs: number, now: number): string {
  const edge = new Date(now - retentionMs);
  return new Date(Date.UTC(edge.getUTCFullYear(), edge.getUTCMonth(), 1)).toISOString().slice(0, 10);
}
