import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { eraseUser, type Erasure } from '../../ops/erase-user.ts';

const ErasedDays = Type.Union([
  Type.Object({ from: Type.String({ format: 'date' }), to: Type.String({ format: 'date' }) }),
  Type.Null(),
]);

export const ErasureOutput = Type.Object({
  user_id: Type.Integer(),
  warehouse_events: Type.Integer({ description: 'Rows deleted from steplog.events' }),
  days: ErasedDays,
  site_events: Type.Integer({ description: 'Rows deleted from steplog.site_events (the site visitor with this id)' }),
  site_days: ErasedDays,
});

export const toErasureOutput = (erasure: Erasure) => ({
  user_id: erasure.userId,
  warehouse_events: erasure.warehouseEvents,
  days: erasure.days,
  site_events: erasure.siteEvents,
  site_days: erasure.siteDays,
});

/** The right to erasure: the user, their events and every trace of them in the aggregates. */
export const eraseUserRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, deps) => {
  app.post(
    '/api/users/:id/erase',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['users'],
        summary: 'Erase a user: their personal data and events, from the store and every warehouse table',
        description:
          'Events are deleted, not pseudonymised, and so are the site events of the visitor with the same id; ' +
          'the aggregates of the months they had events in are rebuilt. ' +
          'Loads wait meanwhile. 409 while a load of their events is in doubt (retry after the next load).',
        params: IdParams,
        response: { 200: ErasureOutput, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => {
      const id = Number(request.params.id);
      const erasure = await eraseUser({ ...deps, mutationTimeoutMs: deps.config.mutationTimeoutMs }, id);
      request.log.info({ audit: 'user_erased', userId: id, events: erasure.warehouseEvents }, 'user erased');
      return toErasureOutput(erasure);
    },
  );
};
