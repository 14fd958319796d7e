import type { MinuteCount } from '../store/event-log.ts';
import type { ImportJob } from '../store/import-jobs.ts';

export interface IngestMinute {
  /** Epoch ms at the start of the minute. */
  readonly minute: number;
  /** Events committed during the minute. */
  readonly received: number;
  /** Rows loaded into the warehouse by jobs that finished during the minute. */
  readonly loaded: number;
  /** Undelivered events at the end of the minute. */
  readonly backlog: number;
}

const MINUTE = 60_000;

/**
 * The last `minutes` minutes of ingest and load, with the backlog walked back from its current size:
 * the backlog at the end of a minute is today's, minus what arrived since, plus what was loaded since.
 */
export function ingestHistory(
  now: number,
  minutes: number,
  received: readonly MinuteCount[],
  jobs: readonly ImportJob[],
  backlogNow: number,
): IngestMinute[] {
  const first = Math.floor(now / MINUTE) * MINUTE - (minutes - 1) * MINUTE;
  const receivedBy = new Map(received.map((r) => [r.minute, r.events]));
  const loadedBy = new Map<number, number>();
  for (const job of jobs) {
    if (job.finishedAt === null || job.finishedAt < first) continue;
    const minute = Math.floor(job.finishedAt / MINUTE) * MINUTE;
    loadedBy.set(minute, (loadedBy.get(minute) ?? 0) + job.rows + job.reconciled);
  }
  const out: IngestMinute[] = [];
  let backlog = backlogNow;
  for (let i = minutes - 1; i >= 0; i--) {
    const minute = first + i * MINUTE;
    const entry = { minute, received: receivedBy.get(minute) ?? 0, loaded: loadedBy.get(minute) ?? 0 };
    out.push({ ...entry, backlog: Math.max(0, backlog) });
    backlog += entry.loaded - entry.received;
  }
  return out.reverse();
}
