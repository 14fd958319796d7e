import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteOptions } from '../../http/deps.ts';

export const healthRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'transport'>> = async (app, { transport }) => {
  app.get(
    '/healthz',
    {
      config: { scope: 'public' },
      schema: {
        tags: ['ops'],
        summary: 'Liveness, with the size of the undelivered backlog',
        response: { 200: Type.Object({ status: Type.Literal('ok'), backlog: Type.Integer() }) },
      },
    },
    async () => ({ status: 'ok' as const, backlog: (await transport.backlog()).events }),
  );
};
