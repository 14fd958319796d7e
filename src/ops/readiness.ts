import type { ImportJob } from '../store/import-jobs.ts';
import type { Backlog } from '../queue/transport.ts';

/** Loads failed in a row past which steplog is not ready. */
export const MAX_FAILED_LOADS = 3;
/** The oldest undelivered event may wait this many flush intervals before steplog is not ready. */
export const BACKLOG_AGE_INTERVALS = 3;
/** How long the warehouse may take to answer `SELECT 1`. */
const PING_TIMEOUT_MS = 2_000;

export interface ReadinessSources {
  readonly migrating: () => boolean;
  /** The latest import jobs, newest first (a store read: it also proves the store answers). */
  readonly recentJobs: (limit: number) => Promise<readonly ImportJob[]>;
  readonly pingWarehouse: () => Promise<unknown>;
  readonly backlog: () => Promise<Backlog>;
}

export interface Readiness {
  readonly ready: boolean;
  /** Why not, one line each; empty when ready. */
  readonly reasons: readonly string[];
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Whether this process can do its job now, and if not why: migrations running, the store or the
 * warehouse unreachable, the last loads all failed, or the oldest undelivered event older than
 * BACKLOG_AGE_INTERVALS flush intervals. Every check runs; every failing one is named.
 */
export async function checkReadiness(
  sources: ReadinessSources,
  options: { readonly flushIntervalMs: number; readonly now?: number },
): Promise<Readiness> {
  const now = options.now ?? Date.now();
  const reasons: string[] = [];
  if (sources.migrating()) reasons.push('warehouse migrations are running');
  const [jobs, ping, backlog] = await Promise.allSettled([
    sources.recentJobs(MAX_FAILED_LOADS + 1),
    withTimeout(sources.pingWarehouse(), PING_TIMEOUT_MS),
    sources.backlog(),
  ]);
  if (jobs.status === 'rejected') reasons.push(`the store cannot be reached: ${message(jobs.reason)}`);
  else {
    const finished = jobs.value.filter((job) => job.status !== 'running').slice(0, MAX_FAILED_LOADS);
    if (finished.length === MAX_FAILED_LOADS && finished.every((job) => job.status === 'failed')) {
      reasons.push(`the last ${MAX_FAILED_LOADS} loads failed: ${finished[0]!.error ?? 'no error recorded'}`);
    }
  }
  if (ping.status === 'rejected') reasons.push(`the warehouse cannot be reached: ${message(ping.reason)}`);
  if (backlog.status === 'rejected') reasons.push(`the backlog cannot be read: ${message(backlog.reason)}`);
  else if (backlog.value.oldestReceivedAt !== null) {
    const ageMs = now - backlog.value.oldestReceivedAt;
    const boundMs = BACKLOG_AGE_INTERVALS * options.flushIntervalMs;
    if (ageMs > boundMs) {
      reasons.push(`the oldest undelivered event is ${Math.round(ageMs / 1000)} s old (bound ${boundMs / 1000} s)`);
    }
  }
  return { ready: reasons.length === 0, reasons };
}
