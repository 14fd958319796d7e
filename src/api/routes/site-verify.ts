import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { siteRunDays, siteRunRows } from '../../analytics/site-delivery.ts';
import { ErrorBody } from '../../events/schemas.ts';
import { MAX_SITE_ID } from '../../events/site-schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';

const VisitorRange = Type.Object(
  {
    user_id_from: Type.Integer({ minimum: 0, maximum: MAX_SITE_ID }),
    user_id_to: Type.Integer({ minimum: 0, maximum: MAX_SITE_ID }),
  },
  { additionalProperties: false },
);

/**
 * Read-only proof of delivery of site events, for `steplog load --family site`: a run owns a range
 * of visitor ids, so the range finds its rows whether or not the route took an event_id.
 */
export const siteVerifyRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'warehouse'>> = async (
  app,
  { warehouse },
) => {
  app.post(
    '/api/verify/site-events',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['verify'],
        summary: 'Every stored site event of a visitor range, with the inserts its delivery ledger saw',
        description:
          'One entry per row of steplog.site_events (a row stored twice is listed twice); copies is the ' +
          'sum the delivery ledger view counted for its event_id, so exactly once is one row with copies = 1.',
        body: VisitorRange,
        response: {
          200: Type.Object({
            events: Type.Array(
              Type.Object({
                user_id: Type.Integer(),
                time_ms: Type.Integer(),
                event_id: Type.String(),
                name: Type.String(),
                url: Type.String(),
                obj: Type.String(),
                obj_id: Type.String(),
                product_id: Type.Integer(),
                amount: Type.Number(),
                exp: Type.Record(Type.String(), Type.String()),
                copies: Type.Integer(),
              }),
            ),
          }),
          400: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => {
      const rows = await siteRunRows(warehouse, rangeOf(request.body));
      return {
        events: rows.map((r) => ({
          user_id: r.userId,
          time_ms: r.timeMs,
          event_id: r.eventId,
          name: r.name,
          url: r.url,
          obj: r.obj,
          obj_id: r.objId,
          product_id: r.productId,
          amount: r.amount,
          exp: r.exp,
          copies: r.copies,
        })),
      };
    },
  );

  app.post(
    '/api/verify/site-run',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['verify'],
        summary: 'Site events and distinct visitors per UTC day × name of a visitor range',
        body: VisitorRange,
        response: {
          200: Type.Object({
            days: Type.Array(
              Type.Object({ day: Type.String(), name: Type.String(), events: Type.Integer(), users: Type.Integer() }),
            ),
          }),
          400: ErrorBody,
          503: ErrorBody,
        },
      },
    },
    async (request) => ({ days: await siteRunDays(warehouse, rangeOf(request.body)) }),
  );
};

const rangeOf = (body: { user_id_from: number; user_id_to: number }) => ({
  userIdFrom: body.user_id_from,
  userIdTo: body.user_id_to,
});
