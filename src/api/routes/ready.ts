import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { checkReadiness } from '../../ops/readiness.ts';
import type { RouteOptions } from '../../http/deps.ts';

const Answer = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  reasons: Type.Array(Type.String(), { description: 'Why not ready, one line each; empty when ready' }),
});

/** Readiness, beside `/healthz` (liveness): 503 with the reasons whenever steplog cannot do its job. */
export const readyRoutes: FastifyPluginAsyncTypebox<
  Pick<RouteOptions, 'config' | 'migrator' | 'importJobs' | 'warehouse' | 'transport'>
> = async (app, { config, migrator, importJobs, warehouse, transport }) => {
  app.get(
    '/readyz',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['ops'],
        summary: 'Readiness: 503 with the reasons while migrations run, a store is unreachable or loads are failing',
        response: { 200: Answer, 503: Answer },
      },
    },
    async (_request, reply) => {
      const { ready, reasons } = await checkReadiness(
        {
          migrating: () => migrator.running,
          recentJobs: (limit) => importJobs.list(limit),
          pingWarehouse: () => warehouse.query('SELECT 1 AS ok'),
          backlog: () => transport.backlog(),
        },
        { flushIntervalMs: config.flushIntervalMs },
      );
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', reasons: [...reasons] });
    },
  );
};
