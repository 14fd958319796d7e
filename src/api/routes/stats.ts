import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { dailyUsers } from '../../analytics/daily-users.ts';
import { MAX_DAYS } from '../../analytics/days.ts';
import type { ActionId } from '../../events/event.ts';
import { ErrorBody } from '../../events/schemas.ts';
import { ApiError } from '../errors.ts';
import type { RouteOptions } from '../deps.ts';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', description: 'UTC day, YYYY-MM-DD' });

export const statsRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { warehouse }) => {
  app.get(
    '/api/stats/daily-users',
    {
      schema: {
        tags: ['stats'],
        summary: 'Unique users per day over the events loaded into ClickHouse',
        querystring: Type.Object(
          {
            from: Day,
            to: Day,
            action_id: Type.Optional(Type.String({ pattern: '^[0-2]$', description: '0 view, 1 submit, 2 solve' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            days: Type.Array(Type.Object({ day: Type.String(), users: Type.Integer(), events: Type.Integer() })),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const { from, to, action_id } = request.query;
      const span = (Date.parse(to) - Date.parse(from)) / 86_400_000;
      if (span < 0) throw new ApiError(400, 'validation', 'to must not be before from', 'to');
      if (span >= MAX_DAYS) throw new ApiError(400, 'validation', `the range must span at most ${MAX_DAYS} days`, 'to');
      const actionId = action_id === undefined ? undefined : (Number(action_id) as ActionId);
      return { days: await dailyUsers(warehouse, { from, to, actionId }) };
    },
  );
};
