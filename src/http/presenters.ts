import { Type } from 'typebox';
import type { DeadLetter } from '../queue/transport.ts';
import type { ImportJob } from '../store/import-jobs.ts';

// What the JSON API answers and the admin pages render: one shape, written once.

export const ImportJobOutput = Type.Object({
  id: Type.Integer(),
  trigger: Type.String({ description: 'schedule, backlog (a batch filled) or manual' }),
  status: Type.String({ description: 'running, succeeded or failed' }),
  started_at: Type.String({ format: 'date-time' }),
  finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  duration_ms: Type.Union([Type.Integer(), Type.Null()]),
  rows: Type.Integer({ description: 'Rows inserted into ClickHouse' }),
  batches: Type.Integer(),
  reconciled: Type.Integer({ description: 'In-doubt rows found already loaded and not inserted again' }),
  dead_lettered: Type.Integer({ description: 'Rows the warehouse refused for good, moved to the dead letters' }),
  error: Type.Union([Type.String(), Type.Null()]),
});

export const toImportJobOutput = (job: ImportJob) => ({
  id: job.id,
  trigger: job.trigger,
  status: job.status,
  started_at: new Date(job.startedAt).toISOString(),
  finished_at: job.finishedAt === null ? null : new Date(job.finishedAt).toISOString(),
  duration_ms: job.finishedAt === null ? null : job.finishedAt - job.startedAt,
  rows: job.rows,
  batches: job.batches,
  reconciled: job.reconciled,
  dead_lettered: job.deadLettered,
  error: job.error,
});

export const DeadLetterOutput = Type.Object({
  id: Type.Integer({ description: "The event's server sequence id" }),
  event_id: Type.String({ description: 'As stored (it may be a form the warehouse cannot parse)' }),
  time: Type.String({ format: 'date-time' }),
  user_id: Type.Integer(),
  step_id: Type.Integer(),
  action_id: Type.Integer(),
  error: Type.String({ description: "The warehouse's answer to the one-row insert" }),
  failed_at: Type.String({ format: 'date-time' }),
  job_id: Type.Integer({ description: 'The import job that isolated it' }),
});

export const toDeadLetterOutput = ({ event, error, failedAt, jobId }: DeadLetter) => ({
  id: event.id,
  event_id: event.eventId,
  time: new Date(event.time).toISOString(),
  user_id: event.userId,
  step_id: event.stepId,
  action_id: event.actionId,
  error,
  failed_at: new Date(failedAt).toISOString(),
  job_id: jobId,
});
