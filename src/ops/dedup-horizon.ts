import type { Logger } from 'pino';
import type { RetentionStore } from '../store/retention.ts';

/** How often the store forgets what fell past the dedup horizon while serving (and once at start). */
export const DEDUP_HORIZON_EVERY_MS = 3_600_000;

/**
 * STEPLOG_DEDUP_WINDOW: the store keeps a delivered event (its row and the unique event_id that
 * makes a retry a duplicate) for the window after it was received, then forgets it. What stays
 * on disk is the backlog, the dead letters and the last window of delivered events. A retry of a
 * forgotten event_id is a new event: stored, queued and loaded again (the warehouse's delivery
 * ledger then counts 2 copies of it). Answers how many events were forgotten.
 */
export function applyDedupHorizon(
  retention: Pick<RetentionStore, 'forgetDeliveredReceivedBefore'>,
  windowMs: number,
  now = Date.now(),
): Promise<number> {
  return retention.forgetDeliveredReceivedBefore(now - windowMs);
}

/** Applies the horizon now and every DEDUP_HORIZON_EVERY_MS; answers the function that stops it. */
export function scheduleDedupHorizon(
  retention: Pick<RetentionStore, 'forgetDeliveredReceivedBefore'>,
  windowMs: number,
  log: Logger,
): () => void {
  const run = () =>
    applyDedupHorizon(retention, windowMs)
      .then((forgotten) => log.info({ component: 'dedup-horizon', forgotten }, 'dedup horizon applied'))
      .catch((error: unknown) =>
        log.error({ component: 'dedup-horizon', err: error }, 'dedup horizon failed; retried later'),
      );
  void run();
  const timer = setInterval(() => void run(), DEDUP_HORIZON_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
