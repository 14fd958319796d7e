import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { dailyUsers, MAX_DAYS } from '../../analytics/daily-users.ts';
import type { ActionId } from '../../events/event.ts';
import { ErrorBody } from '../../events/schemas.ts';
import { ingestHistory } from '../../ingest/ingest-history.ts';
import { ApiError } from '../errors.ts';
import type { RouteOptions } from '../deps.ts';

const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', description: 'UTC day, YYYY-MM-DD' });

const HOUR_MINUTES = 60;

export const statsRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { warehouse, store, transport }) => {
  app.get(
    '/api/stats/ingest',
    {
      schema: {
        tags: ['stats'],
        summary: 'The last hour, per minute: events received, rows loaded into ClickHouse, and the backlog',
        response: {
          200: Type.Object({
            minutes: Type.Array(
              Type.Object({
                minute: Type.String({ format: 'date-time' }),
                received: Type.Integer(),
                loaded: Type.Integer(),
                backlog: Type.Integer(),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const now = Date.now();
      const since = now - HOUR_MINUTES * 60_000;
      const [received, jobs, backlog] = await Promise.all([
        store.receivedPerMinute(since),
        store.listImportJobs(1000),
        transport.backlog(),
      ]);
      return {
        minutes: ingestHistory(now, HOUR_MINUTES, received, jobs, backlog.events).map((m) => ({
          ...m,
          minute: new Date(m.minute).toISOString(),
        })),
      };
    },
  );

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
