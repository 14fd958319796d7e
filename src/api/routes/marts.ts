import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { daySpan, MAX_DAYS } from '../../analytics/days.ts';
import { funnel } from '../../analytics/funnel.ts';
import { retention } from '../../analytics/retention.ts';
import { stepDifficulty } from '../../analytics/step-difficulty.ts';
import { usersActivity, usersActivitySeries } from '../../analytics/users-activity.ts';
import { MAX_UINT32 } from '../../events/limits.ts';
import { ErrorBody } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { HttpError } from '../../http/errors.ts';
import { checkCount, checkRange, Count, Day } from './day-range.ts';

const MAX_WEEKS = 104;
/** Windows × days a series may merge (each day's states are fanned out to the N windows holding it). */
const MAX_SERIES_WORK = MAX_DAYS * 31;
const Ratio = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const Users = (description: string) => Type.Integer({ description });
const ActivityFigures = {
  users: Users('Distinct users with at least one event in the window'),
  view_users: Users('Distinct users with at least one view event in the window'),
  submit_users: Users('Distinct users with at least one submit event in the window'),
  solve_users: Users('Distinct users with at least one solve event in the window'),
  guests: Users(
    'Distinct users with at least one event in the window loaded while they were a guest (no registration); ' +
      'a guest who registered in the window counts here and in registered',
  ),
  registered: Users('Distinct users with at least one event in the window loaded while they were registered'),
  new_users: Users(
    'Distinct users with an event in the window whose join day (UTC day of join_date) is inside the window: ' +
      'date − days + 1 ≤ join day ≤ date. A user who joined after the window is neither new nor returning',
  ),
  returning_users: Users(
    'Distinct users with an event in the window whose join day is before the window (before date − days + 1)',
  ),
};
/** The rules every mart shares, in the words of the README's "What each figure means". */
const DAYS_ARE_UTC =
  'Days are UTC calendar days of the event times (an event at exactly 00:00:00.000 UTC belongs to the day it ' +
  'starts); ranges include both end days; join date and guest status are the ones the user had when the event ' +
  'was loaded.';
const Range = { from: Day, to: Day };
const Days = Count(MAX_DAYS, 'Window length in days: 1 for DAU, 7 for WAU, 30 for MAU');

/** The activity marts, answered from the daily -State aggregates. */
export const martRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'warehouse'>> = async (app, { warehouse }) => {
  app.get(
    '/api/marts/users-activity',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['marts'],
        summary: 'users_activity: distinct users over the N-day window ending at a day (DAU/WAU/MAU)',
        description: `The window is the \`days\` days from date − days + 1 to date. ${DAYS_ARE_UTC}`,
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
        description:
          `users_activity for each end day in [from, to]: one row per end day, idle windows with zeros. ` +
          `days × (number of end days) is at most ${MAX_SERIES_WORK}. ${DAYS_ARE_UTC}`,
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
        throw new HttpError(400, 'validation', `days × windows must be at most ${MAX_SERIES_WORK}`, 'days');
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
          'A user’s first view of a step is their earliest view event of it among all events. viewed: users whose ' +
          'first view of the step is on a day in [from, to]; submitted: those of them with a submit event of the ' +
          'step (at any time); solved: those submitters who also have a solve event of it (at any time). ' +
          'Conversions are fractions 0…1, null when the divisor is 0; steps without viewed users are left out. ' +
          DAYS_ARE_UTC,
        querystring: Type.Object(
          { ...Range, step_id: Type.Optional(Count(MAX_UINT32, 'Only this step')) },
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
      const stepId = step_id === undefined ? undefined : checkCount(step_id, MAX_UINT32, 'step_id');
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
          'Steps with at least one submit or solve event on a day in [from, to]. submits, solves: those events in ' +
          'the range. solve_rate: distinct users with a solve event in the range / distinct users with a submit ' +
          'event in the range. median_seconds_to_solve: for every user whose first solve of the step (earliest ' +
          'solve event) is on a day in the range and whose first view is at or before it, first solve − first ' +
          'view in elapsed seconds with millisecond fractions (a view at 12:00:00.900 and a solve at ' +
          '12:00:01.100 give 0.2); the median of those, the upper of the two middle values for an even count; ' +
          'null when no user qualifies. ' +
          DAYS_ARE_UTC,
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
                median_seconds_to_solve: Type.Union([Type.Number(), Type.Null()], {
                  description: 'Elapsed seconds with millisecond fractions, e.g. 0.2',
                }),
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
          'Cohorts are the Monday-to-Sunday weeks of the users’ join days, from the week holding `from` to the ' +
          'last starting on or before `to`. users: the cohort’s users with at least one event (any day); a ' +
          'cohort without such users is left out. active[k], k = 0 … weeks − 1: the share (0…1) of them with ' +
          'an event on a day from cohort_week + 7k to cohort_week + 7k + 6; null when that week starts after ' +
          'today (it has not happened); a week in progress counts its days so far. ' +
          DAYS_ARE_UTC,
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
                active: Type.Array(Type.Union([Type.Number(), Type.Null()])),
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
