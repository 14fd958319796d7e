import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { rebuildAggregates } from '../../analytics/rebuild-aggregates.ts';
import { ErrorBody } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { checkRange, Day } from './day-range.ts';

export const RebuiltTable = Type.Object({
  table: Type.String(),
  partitions: Type.Array(Type.String(), { description: 'Replaced partitions: YYYYMM, or "all"' }),
  rows: Type.Integer({ description: 'Aggregate rows written' }),
});

/** Rebuilds the aggregates from the raw events while the server runs: loads wait meanwhile. */
export const aggregateRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'warehouse' | 'scheduler'>> = async (
  app,
  { warehouse, scheduler },
) => {
  app.post(
    '/api/aggregates/rebuild',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['ops'],
        summary: 'Recompute the daily aggregates from the raw events (all months, or the months of [from, to])',
        description:
          'Loads into the warehouse wait until it finishes (events are still accepted); readers see each month ' +
          'either as it was or rebuilt. Per-user step progress is always recomputed whole.',
        body: Type.Object({ from: Type.Optional(Day), to: Type.Optional(Day) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ tables: Type.Array(RebuiltTable), duration_ms: Type.Integer() }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const { from, to } = request.body;
      if (from !== undefined && to !== undefined) checkRange(from, to);
      const started = Date.now();
      const tables = await scheduler.exclusive(() => rebuildAggregates(warehouse, { from, to }));
      return { tables, duration_ms: Date.now() - started };
    },
  );
};
