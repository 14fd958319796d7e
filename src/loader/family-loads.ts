import type { Logger } from 'pino';
import type { ImportJob, ImportJobs, ImportTrigger } from '../store/import-jobs.ts';
import { runAsJob } from './run-as-job.ts';

/** A family's loader as a run over every family sees it (EventLoader). */
export interface FamilyLoad {
  loadInto(job: ImportJob, log: Logger): Promise<void>;
  stop(): void;
}

/**
 * One load over every event family, in order, as one import job: the job list, /readyz's "last
 * loads failed" and the scheduler's back-off see one load per run, whichever families it moved.
 * A family whose load fails fails the job; the families after it wait for the next run.
 */
export class FamilyLoads {
  constructor(
    private readonly loads: readonly FamilyLoad[],
    private readonly importJobs: Pick<ImportJobs, 'start' | 'save'>,
    private readonly log: Logger,
  ) {}

  run(trigger: ImportTrigger): Promise<ImportJob> {
    return runAsJob(this.importJobs, trigger, this.log, async (job, log) => {
      for (const load of this.loads) await load.loadInto(job, log);
    });
  }

  stop(): void {
    for (const load of this.loads) load.stop();
  }
}
