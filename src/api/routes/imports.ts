import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ImportJob } from '../../store/import-jobs.ts';
import type { RouteOptions } from '../deps.ts';

const ImportJobOutput = Type.Object({
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

export const importRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (
  app,
  { importJobs, scheduler, transport },
) => {
  app.get(
    '/api/imports',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['imports'],
        summary: 'Recent import jobs (loads into ClickHouse), newest first, and the backlog',
        querystring: Type.Object(
          { limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            backlog: Type.Object({
              events: Type.Integer(),
              oldest_received_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
            }),
            jobs: Type.Array(ImportJobOutput),
          }),
        },
      },
    },
    async (request) => {
      const [jobs, backlog] = await Promise.all([
        importJobs.list(Number(request.query.limit ?? 50)),
        transport.backlog(),
      ]);
      return {
        backlog: {
          events: backlog.events,
          oldest_received_at:
            backlog.oldestReceivedAt === null ? null : new Date(backlog.oldestReceivedAt).toISOString(),
        },
        jobs: jobs.map(toImportJobOutput),
      };
    },
  );

  app.post(
    '/api/imports',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['imports'],
        summary: 'Load the backlog into ClickHouse now; answers with the finished job',
        response: { 200: ImportJobOutput },
      },
    },
    async () => toImportJobOutput(await scheduler.run('manual')),
  );
};
