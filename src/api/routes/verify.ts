import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { deliveredCopies, runSummary } from '../../analytics/delivery.ts';
import { ErrorBody } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';

/** Ids per verification request: a bound on the query's size. */
export const MAX_VERIFY_IDS = 10_000;

/** Read-only proof of delivery, for `steplog load` while this process owns the embedded warehouse. */
export const verifyRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'warehouse'>> = async (app, { warehouse }) => {
  app.post(
    '/api/verify/events',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['verify'],
        summary: 'How many rows each event_id has in ClickHouse, and how many inserts its views saw',
        description:
          'Exactly once is rows = 1 and copies = 1 for every accepted event; ids never loaded are absent. ' +
          'copies counts the inserts the delivery ledger view saw, so a merge cannot hide a double insert.',
        body: Type.Object(
          {
            event_ids: Type.Array(Type.String({ format: 'uuid' }), { minItems: 1, maxItems: MAX_VERIFY_IDS }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            events: Type.Array(Type.Object({ event_id: Type.String(), rows: Type.Integer(), copies: Type.Integer() })),
          }),
          400: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      const copies = await deliveredCopies(
        warehouse,
        request.body.event_ids.map((id) => id.toLowerCase()),
      );
      return { events: copies.map((c) => ({ event_id: c.eventId, rows: c.rows, copies: c.copies })) };
    },
  );

  app.post(
    '/api/verify/run',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['verify'],
        summary: 'What ClickHouse holds of the events whose event_id starts with a prefix (a load run)',
        description:
          'Rows and distinct ids, events and unique users per UTC day × action, and every distinct ' +
          'combination of denormalized user attributes the events carry.',
        body: Type.Object(
          { event_id_prefix: Type.String({ pattern: '^[0-9a-f]{8}$', description: 'First 8 hex digits' }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            rows: Type.Integer(),
            event_ids: Type.Integer(),
            days: Type.Array(
              Type.Object({
                day: Type.String(),
                action_id: Type.Integer(),
                events: Type.Integer(),
                users: Type.Integer(),
              }),
            ),
            users: Type.Array(
              Type.Object({
                user_id: Type.Integer(),
                name: Type.String(),
                email: Type.String(),
                join_date: Type.String(),
                registration_date: Type.Union([Type.String(), Type.Null()]),
                is_guest: Type.Boolean(),
                events: Type.Integer(),
              }),
            ),
          }),
          400: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      const summary = await runSummary(warehouse, request.body.event_id_prefix);
      return {
        rows: summary.rows,
        event_ids: summary.eventIds,
        days: summary.days.map((d) => ({ day: d.day, action_id: d.actionId, events: d.events, users: d.users })),
        users: summary.users.map((u) => ({
          user_id: u.userId,
          name: u.name,
          email: u.email,
          join_date: u.joinDate,
          registration_date: u.registrationDate,
          is_guest: u.isGuest,
          events: u.events,
        })),
      };
    },
  );
};
