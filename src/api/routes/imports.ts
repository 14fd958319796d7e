import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ImportJobOutput, toImportJobOutput } from '../../http/presenters.ts';
import { AfterId } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { olderThan } from '../../http/page.ts';

export const importRoutes: FastifyPluginAsyncTypebox<
  Pick<RouteOptions, 'importJobs' | 'scheduler' | 'transport' | 'siteTransport'>
> = async (app, { importJobs, scheduler, transport, siteTransport }) => {
  app.get(
    '/api/imports',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['imports'],
        summary:
          'Import jobs (loads into ClickHouse), newest first (`after`: the oldest id of the page before), and the backlog',
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$' })),
            after: Type.Optional(AfterId),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            backlog: Type.Object({
              events: Type.Integer({ description: 'Undelivered events of both families' }),
              oldest_received_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
              families: Type.Object({ learning: Type.Integer(), site: Type.Integer() }),
            }),
            jobs: Type.Array(ImportJobOutput),
          }),
        },
      },
    },
    async (request) => {
      const [jobs, learning, site] = await Promise.all([
        importJobs.list(Number(request.query.limit ?? 50), olderThan(request.query.after)),
        transport.backlog(),
        siteTransport.backlog(),
      ]);
      const oldest = [learning.oldestReceivedAt, site.oldestReceivedAt].filter((t) => t !== null);
      return {
        backlog: {
          events: learning.events + site.events,
          oldest_received_at: oldest.length === 0 ? null : new Date(Math.min(...oldest)).toISOString(),
          families: { learning: learning.events, site: site.events },
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
        summary:
          'Load the backlog into ClickHouse now; answers with the finished job (409 `not_a_loader` from a `--role api` process: its loader processes load)',
        response: { 200: ImportJobOutput },
      },
    },
    async () => toImportJobOutput(await scheduler.run('manual')),
  );
};
