import crypto from 'node:crypto';
import os from 'node:os';
import type { Kysely } from 'kysely';
import type { ImportJob, ImportJobs, ImportTrigger } from '../import-jobs.ts';
import type { Database } from './database.ts';
import { toImportJob } from './rows.ts';

export class KyselyImportJobs implements ImportJobs {
  /**
   * @param owner who this process is in the jobs it starts, distinct per store instance: host and
   * pid (for operators: which process ran, or left, a job) and a random part (pids are reused).
   */
  constructor(
    private readonly db: Kysely<Database>,
    readonly owner: string = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`,
  ) {}

  async start(trigger: ImportTrigger): Promise<ImportJob> {
    const row = await this.db
      .insertInto('import_jobs')
      .values({
        trigger,
        started_at: Date.now(),
        status: 'running',
        rows: 0,
        batches: 0,
        reconciled: 0,
        dead_lettered: 0,
        error: null,
        finished_at: null,
        owner: this.owner,
        heartbeat_at: Date.now(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toImportJob(row);
  }

  async save(job: ImportJob): Promise<ImportJob> {
    const row = await this.db
      .updateTable('import_jobs')
      .set({
        finished_at: job.finishedAt,
        status: job.status,
        rows: job.rows,
        batches: job.batches,
        reconciled: job.reconciled,
        dead_lettered: job.deadLettered,
        error: job.error,
      })
      .where('id', '=', job.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toImportJob(row);
  }

  async list(limit: number, olderThan?: number): Promise<ImportJob[]> {
    const rows = await this.db
      .selectFrom('import_jobs')
      .selectAll()
      .$if(olderThan !== undefined, (q) => q.where('id', '<', olderThan!))
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map(toImportJob);
  }

  async finishedSince(since: number): Promise<ImportJob[]> {
    const rows = await this.db
      .selectFrom('import_jobs')
      .selectAll()
      .where('finished_at', '>=', since)
      .orderBy('finished_at')
      .execute();
    return rows.map(toImportJob);
  }

  async failInterrupted(error: string): Promise<number> {
    const result = await this.db
      .updateTable('import_jobs')
      .set({ status: 'failed', error })
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async heartbeat(): Promise<void> {
    await this.db
      .updateTable('import_jobs')
      .set({ heartbeat_at: Date.now() })
      .where('owner', '=', this.owner)
      .where('status', '=', 'running')
      .execute();
  }

  async failStale(error: string, before: number): Promise<number> {
    const result = await this.db
      .updateTable('import_jobs')
      .set({ status: 'failed', error, finished_at: Date.now() })
      .where('status', '=', 'running')
      .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '!=', this.owner)]))
      .where((eb) => eb.or([eb('heartbeat_at', 'is', null), eb('heartbeat_at', '<', before)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }
}
