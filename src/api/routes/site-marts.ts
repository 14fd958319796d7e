import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { daySpan, MAX_DAYS } from '../../analytics/days.ts';
import { siteExperiments } from '../../analytics/site-experiments.ts';
import {
  siteActivitySeries,
  siteEventsPerDay,
  siteSessions,
  siteTopPages,
  siteTopProducts,
} from '../../analytics/site-marts.ts';
import { ErrorBody } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { HttpError } from '../../http/errors.ts';
import { checkCount, checkRange, Count, Day } from './day-range.ts';

const MAX_SERIES_WORK = MAX_DAYS * 31;
const MAX_TOP = 1000;
const DAYS_ARE_UTC =
  'Days are UTC calendar days of the site events’ dt; ranges include both end days. Visitors are the anonymous user_id.';
const Range = { from: Day, to: Day };
const Nullable = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const mart = <Q extends TSchema, R extends TSchema>(
  summary: string,
  description: string,
  querystring: Q,
  response: R,
) => ({
  config: { scope: 'read' as const },
  schema: {
    tags: ['site marts'],
    summary,
    description: `${description} ${DAYS_ARE_UTC}`,
    querystring,
    response: { 200: response, 400: ErrorBody },
  },
});

/** The site marts (de-demo's event family): REST over src/analytics/site-marts.ts. */
export const siteMartRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'warehouse'>> = async (
  app,
  { warehouse },
) => {
  app.get(
    '/api/marts/site/users-activity/series',
    mart(
      'Site users activity: distinct visitors over the N-day window ending at each day (DAU/WAU/MAU)',
      'Window: the `days` days from date − days + 1 to date (1: DAU, 7: WAU, 30: MAU), exact (uniqExact). ' +
        `days × (number of end days) is at most ${MAX_SERIES_WORK}.`,
      Type.Object(
        { days: Count(MAX_DAYS, 'Window length in days: 1 DAU, 7 WAU, 30 MAU'), ...Range },
        { additionalProperties: false },
      ),
      Type.Object({
        series: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), users: Type.Integer() })),
      }),
    ),
    async (request) => {
      const { from, to } = request.query;
      checkRange(from, to);
      const days = checkCount(request.query.days, MAX_DAYS, 'days');
      if ((daySpan(from, to) + 1) * days > MAX_SERIES_WORK) {
        throw new HttpError(400, 'validation', `days × windows must be at most ${MAX_SERIES_WORK}`, 'days');
      }
      return { series: await siteActivitySeries(warehouse, { days, from, to }) };
    },
  );

  app.get(
    '/api/marts/site/events-per-day',
    mart(
      'Site events and distinct visitors per day, name and obj',
      'One row per (day, name, obj) that occurred.',
      Type.Object(Range, { additionalProperties: false }),
      Type.Object({
        rows: Type.Array(
          Type.Object({
            date: Type.String({ format: 'date' }),
            name: Type.String(),
            obj: Type.String(),
            events: Type.Integer(),
            users: Type.Integer(),
          }),
        ),
      }),
    ),
    async (request) => {
      checkRange(request.query.from, request.query.to);
      return { rows: await siteEventsPerDay(warehouse, request.query) };
    },
  );

  app.get(
    '/api/marts/site/sessions',
    mart(
      'Sessions: per day, and the distributions of duration and events per session',
      'A session is a visitor’s run of events (among those of the range) with no gap over 30 minutes; it belongs ' +
        'to the day of its first event; its duration is from its first to its last event. Buckets are given by ' +
        'their lower bound and reach up to the next one.',
      Type.Object(Range, { additionalProperties: false }),
      Type.Object({
        days: Type.Array(
          Type.Object({
            date: Type.String({ format: 'date' }),
            sessions: Type.Integer(),
            users: Type.Integer({ description: 'Distinct visitors with a session starting that day' }),
            avg_duration_s: Nullable('Mean duration in seconds; null without sessions'),
            avg_events: Nullable('Mean events per session; null without sessions'),
          }),
        ),
        durations: Type.Array(Type.Object({ from_s: Type.Integer(), sessions: Type.Integer() })),
        events_per_session: Type.Array(Type.Object({ from_events: Type.Integer(), sessions: Type.Integer() })),
      }),
    ),
    async (request) => {
      checkRange(request.query.from, request.query.to);
      return siteSessions(warehouse, request.query);
    },
  );

  app.get(
    '/api/marts/site/experiments',
    mart(
      'Experiments: per experiment and variant, visitors exposed, conversion, amount per visitor, CI vs control',
      'Exposed: distinct visitors with an event in the range carrying the variant in `exp` (one shown two variants ' +
        'counts in both). Converted: those with an event named `conversion` in the range. amount_per_user: the sum ' +
        'of the amounts of the exposed visitors’ events in the range over the exposed visitors. vs_control: the ' +
        'conversion minus the control’s with a 95 % confidence interval (Wald, unpooled); the control is ' +
        '`control` when the experiment has that variant, else its first variant by name.',
      Type.Object(
        {
          ...Range,
          conversion: Type.String({ minLength: 1, maxLength: 100, default: 'purchase', description: 'Event name' }),
          control: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
        },
        { additionalProperties: false },
      ),
      Type.Object({
        experiments: Type.Array(
          Type.Object({
            experiment: Type.String(),
            control: Type.String(),
            variants: Type.Array(
              Type.Object({
                variant: Type.String(),
                users: Type.Integer(),
                converted: Type.Integer(),
                conversion: Type.Number(),
                amount_per_user: Type.Number(),
                vs_control: Type.Union([
                  Type.Object({ difference: Type.Number(), low: Type.Number(), high: Type.Number() }),
                  Type.Null(),
                ]),
              }),
            ),
          }),
        ),
      }),
    ),
    async (request) => {
      checkRange(request.query.from, request.query.to);
      return { experiments: await siteExperiments(warehouse, request.query) };
    },
  );

  const TopQuery = Type.Object(
    { ...Range, limit: Type.Optional(Count(MAX_TOP, 'How many (default 10)')) },
    { additionalProperties: false },
  );
  app.get(
    '/api/marts/site/top-pages',
    mart(
      'Top pages: the URLs with the most page events (obj = page)',
      'Ordered by events, then URL.',
      TopQuery,
      Type.Object({
        pages: Type.Array(Type.Object({ url: Type.String(), events: Type.Integer(), users: Type.Integer() })),
      }),
    ),
    async (request) => {
      const { from, to, limit = '10' } = request.query;
      checkRange(from, to);
      return { pages: await siteTopPages(warehouse, { from, to, limit: checkCount(limit, MAX_TOP, 'limit') }) };
    },
  );

  app.get(
    '/api/marts/site/top-products',
    mart(
      'Top products: the product_ids (> 0) with the most events',
      'Ordered by events, then product_id; purchases are events named purchase, amount the sum of all their amounts.',
      TopQuery,
      Type.Object({
        products: Type.Array(
          Type.Object({
            product_id: Type.Integer(),
            events: Type.Integer(),
            users: Type.Integer(),
            purchases: Type.Integer(),
            amount: Type.Number(),
          }),
        ),
      }),
    ),
    async (request) => {
      const { from, to, limit = '10' } = request.query;
      checkRange(from, to);
      return { products: await siteTopProducts(warehouse, { from, to, limit: checkCount(limit, MAX_TOP, 'limit') }) };
    },
  );
};
