import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { dailyUsers } from '../../analytics/daily-users.ts';
import { eventsPerDay } from '../../analytics/events-per-day.ts';
import type { ActionId } from '../../events/event.ts';
import { ErrorBody } from '../../events/schemas.ts';
import { ingestHistory } from '../../ingest/ingest-history.ts';
import type { RouteOptions } from '../../http/deps.ts';
import type { MinuteCount } from '../../store/event-log.ts';
import { checkRange, Day } from './day-range.ts';

const HOUR_MINUTES = 60;

export const statsRoutes: FastifyPluginAsyncTypebox<
  Pick<RouteOptions, 'warehouse' | 'eventLog' | 'siteEventLog' | 'importJobs' | 'transport' | 'siteTransport'>
> = async (app, { warehouse, eventLog, siteEventLog, importJobs, transport, siteTransport }) => {
  app.get(
    '/api/stats/ingest',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['stats'],
        summary: 'The last hour, per minute: events received, rows loaded into ClickHouse, and the backlog',
        description:
          'Both event families: received, loaded and backlog count learning and site events together; ' +
          '`received_by_family` splits what was received (a load run loads both families in one import job).',
        response: {
          200: Type.Object({
            minutes: Type.Array(
              Type.Object({
                minute: Type.String({ format: 'date-time' }),
                received: Type.Integer(),
                loaded: Type.Integer(),
                backlog: Type.Integer(),
                received_by_family: Type.Object({ learning: Type.Integer(), site: Type.Integer() }),
              }),
            ),
          }),
        },
      },
    },
    async () => {
      const now = Date.now();
      const since = now - HOUR_MINUTES * 60_000;
      const [learning, site, jobs, learningBacklog, siteBacklog] = await Promise.all([
        eventLog.receivedPerMinute(since),
        siteEventLog.receivedPerMinute(since),
        importJobs.finishedSince(since),
        transport.backlog(),
        siteTransport.backlog(),
      ]);
      const byMinute = (counts: readonly MinuteCount[]) => new Map(counts.map((c) => [c.minute, c.events]));
      const [learningBy, siteBy] = [byMinute(learning), byMinute(site)];
      const received = [...new Set([...learningBy.keys(), ...siteBy.keys()])].map((minute) => ({
        minute,
        events: (learningBy.get(minute) ?? 0) + (siteBy.get(minute) ?? 0),
      }));
      const backlog = learningBacklog.events + siteBacklog.events;
      return {
        minutes: ingestHistory(now, HOUR_MINUTES, received, jobs, backlog).map((m) => ({
          ...m,
          minute: new Date(m.minute).toISOString(),
          received_by_family: { learning: learningBy.get(m.minute) ?? 0, site: siteBy.get(m.minute) ?? 0 },
        })),
      };
    },
  );

  app.get(
    '/api/stats/daily-users',
    {
      config: { scope: 'read' },
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
      config: { scope: 'read' },
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
