import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { daySpan, MAX_DAYS } from '../../analytics/days.ts';
import { funnel } from '../../analytics/funnel.ts';
import { retention } from '../../analytics/retention.ts';
import { stepDifficulty } from '../../analytics/step-difficulty.ts';
import { usersActivity, usersActivitySeries } from '../../analytics/users-activity.ts';
import { ErrorBody } from '../../events/schemas.ts';
import type { RouteOptions } from '../deps.ts';
import { ApiError } from '../errors.ts';
import { checkCount, checkRange, Count, Day } from './day-range.ts';

const MAX_WEEKS = 104;
/** Windows × days a series may merge (each day's states are fanned out to the N windows holding it). */
const MAX_SERIES_WORK = MAX_DAYS * 31;
const Ratio = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const Users = (description: string) => Type.Integer({ description });
const ActivityFigures = {
  users: Users('Distinct users with any event in the window'),
  view_users: Users('… who viewed a step'),
  submit_users: Users('… who submitted'),
  solve_users: Users('… who solved'),
  guests: Users('… who were guests (no registration) when their events were loaded'),
  registered: Users('… who were registered'),
  new_users: Users('… whose join day falls inside the window'),
  returning_users: Users('… who joined before the window'),
};
const Range = { from: Day, to: Day };
const Days = Count(MAX_DAYS, 'Window length in days: 1 for DAU, 7 for WAU, 30 for MAU');

/** The activity marts, answered from the daily -State aggregates. */
export const martRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { warehouse }) => {
  app.get(
    '/api/marts/users-activity',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['marts'],
        summary: 'users_activity: distinct users over the N-day window ending at a day (DAU/WAU/MAU)',
        querystring: Type.Object({ days: Days, date: Day }, { additionalProperties: false }),
        response: {
          200: Type.Object({ date: Type.String({ format: 'date' }), days: Type.Integer(), ...ActivityFigures }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const days = checkCount(request.query.days, MAX_DAYS, 'days');
      const { date, ...figures } = await usersActivity(warehouse, { days, date: request.query.date });
      return { date, days, ...figures };
    },
  );

  app.get(
    '/api/marts/users-activity/series',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['marts'],
        summary: 'users_activity for every window end day in [from, to]: DAU/WAU/MAU over time',
        description: `One row per end day, idle windows with zeros. days × (number of end days) is at most ${MAX_SERIES_WORK}.`,
        querystring: Type.Object({ days: Days, ...Range }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            series: Type.Array(Type.Object({ date: Type.String({ format: 'date' }), ...ActivityFigures })),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const { from, to } = request.query;
      checkRange(from, to);
      const days = checkCount(request.query.days, MAX_DAYS, 'days');
      const windows = daySpan(from, to) + 1;
      if (windows * days > MAX_SERIES_WORK) {
        throw new ApiError(400, 'validation', `days × windows must be at most ${MAX_SERIES_WORK}`, 'days');
      }
      return { series: await usersActivitySeries(warehouse, { days, from, to }) };
    },
  );

  app.get(
    '/api/marts/funnel',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['marts'],
        summary: 'Per-step funnel: viewed → submitted → solved (users, with conversions)',
        description:
          'viewed: users whose first view of the step falls in [from, to]; submitted: those of them who ever ' +
          'submitted it; solved: those of them who also solved it. Conversions are fractions 0…1, null over 0.',
        querystring: Type.Object(
          { ...Range, step_id: Type.Optional(Count(4_294_967_295, 'Only this step')) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            steps: Type.Array(
              Type.Object({
                step_id: Type.Integer(),
                viewed: Type.Integer(),
                submitted: Type.Integer(),
                solved: Type.Integer(),
                view_to_submit: Ratio('submitted / viewed'),
                submit_to_solve: Ratio('solved / submitted'),
                view_to_solve: Ratio('solved / viewed'),
              }),
            ),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      const { from, to, step_id } = request.query;
      checkRange(from, to);
      const stepId = step_id === undefined ? undefined : checkCount(step_id, 4_294_967_295, 'step_id');
      return { steps: await funnel(warehouse, { from, to, stepId }) };
    },
  );

  app.get(
    '/api/marts/step-difficulty',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['marts'],
        summary: 'Step difficulty: submits per solve, solve rate, median time from first view to solve',
        description:
          'Steps with a submit or solve event in [from, to]. solve_rate: users who solved / users who submitted. ' +
          'median_seconds_to_solve: over first solves in the range that follow a first view (upper median).',
        querystring: Type.Object(Range, { additionalProperties: false }),
        response: {
          200: Type.Object({
            steps: Type.Array(
              Type.Object({
                step_id: Type.Integer(),
                submits: Type.Integer(),
                solves: Type.Integer(),
                submits_per_solve: Ratio('submit events / solve events'),
                solve_rate: Ratio('solvers / submitters'),
                median_seconds_to_solve: Type.Union([Type.Integer(), Type.Null()]),
              }),
            ),
          }),
          400: ErrorBody,
        },
      },
    },
    async (request) => {
      checkRange(request.query.from, request.query.to);
      return { steps: await stepDifficulty(warehouse, request.query) };
    },
  );

  app.get(
    '/api/marts/retention',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['marts'],
        summary: 'Retention by join-week cohort: the share of each cohort active in week k',
        description:
          'Cohorts are the Monday-started weeks of the users’ join_date, from the week of `from` to `to`. ' +
          'users: the cohort’s users with any event; active[k]: the share of them with an event in days ' +
          '[cohort + 7k, cohort + 7k + 6].',
        querystring: Type.Object(
          { ...Range, weeks: Count(MAX_WEEKS, 'Weeks per cohort') },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            cohorts: Type.Array(
              Type.Object({
                cohort_week: Type.String({ format: 'date' }),
                users: Type.Integer(),
                active: Type.Array(Type.Number()),
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
      const weeks = checkCount(request.query.weeks, MAX_WEEKS, 'weeks');
      return { cohorts: await retention(warehouse, { from, to, weeks }) };
    },
  );
};
