import type { Logger } from 'pino';
import type { ImportJob, ImportJobs, ImportTrigger } from '../store/import-jobs.ts';

/** What a load does inside its job: counts into it, throws when a batch fails. */
export type LoadWork = (job: ImportJob, log: Logger) => Promise<void>;

/** Runs `work` as one import job: started, then finished as succeeded or failed with its error. */
export async function runAsJob(
  importJobs: Pick<ImportJobs, 'start' | 'save'>,
  trigger: ImportTrigger,
  logger: Logger,
  work: LoadWork,
): Promise<ImportJob> {
  const job = await importJobs.start(trigger);
  const log = logger.child({ job: job.id, trigger });
  try {
    await work(job, log);
    job.status = 'succeeded';
  } catch (error) {
    job.status = 'failed';
    job.error = error instanceof Error ? error.message : String(error);
    log.error({ err: error, rows: job.rows, batches: job.batches }, 'load failed; the batch stays in the backlog');
  }
  job.finishedAt = Date.now();
  const finished = await importJobs.save(job);
  if (finished.status === 'succeeded' && finished.batches > 0) {
    const { rows, batches, reconciled, deadLettered } = finished;
    log.info({ rows, batches, reconciled, deadLettered, ms: finished.finishedAt! - finished.startedAt }, 'load done');
  }
  return finished;
}
