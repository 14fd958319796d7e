import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { dailyUsers } from '../../analytics/daily-users.ts';
import { eventsPerDay } from '../../analytics/events-per-day.ts';
import type { ActionId } from '../../events/event.ts';
import { ErrorBody } from '../../events/schemas.ts';
import type { RouteOptions } from '../deps.ts';
import { checkRange, Day } from './day-range.ts';

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
      checkRange(from, to);
      const actionId = action_id === undefined ? undefined : (Number(action_id) as ActionId);
      return { days: await dailyUsers(warehouse, { from, to, actionId }) };
    },
  );

  app.get(
    '/api/stats/events-per-day',
    {
      schema: {
        tags: ['stats'],
        summary: 'Events per UTC day and action, from the daily aggregates',
        description: 'Every day of the range is answered; days without events with zeros.',
        querystring: Type.Object({ from: Day, to: Day }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            days: Type.Array(
              Type.Object({
                day: Type.String({ format: 'date' }),
                view: Type.Integer(),
                submit: Type.Integer(),
                solve: Type.Integer(),
              }),
            ),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      checkRange(from, to);
      return { days: await eventsPerDay(warehouse, { from, to }) };
    },
  );
};
