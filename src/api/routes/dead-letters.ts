import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DeadLetter } from '../../queue/transport.ts';
import { ErrorBody, Page } from '../../events/schemas.ts';
import type { RouteOptions } from '../deps.ts';
import { toPage } from './page.ts';

/** Most ids one retry or drop may name; `{all: true}` acts on every dead letter. */
const MAX_IDS = 10_000;

export const DeadLetterOutput = Type.Object({
  id: Type.Integer({ description: "The event's server sequence id" }),
  event_id: Type.String({ description: 'As stored (it may be a form the warehouse cannot parse)' }),
  time: Type.String({ format: 'date-time' }),
  user_id: Type.Integer(),
  step_id: Type.Integer(),
  action_id: Type.Integer(),
  error: Type.String({ description: "The warehouse's answer to the one-row insert" }),
  failed_at: Type.String({ format: 'date-time' }),
  job_id: Type.Integer({ description: 'The import job that isolated it' }),
});

export const toDeadLetterOutput = ({ event, error, failedAt, jobId }: DeadLetter) => ({
  id: event.id,
  event_id: event.eventId,
  time: new Date(event.time).toISOString(),
  user_id: event.userId,
  step_id: event.stepId,
  action_id: event.actionId,
  error,
  failed_at: new Date(failedAt).toISOString(),
  job_id: jobId,
});

const Selection = Type.Union([
  Type.Object(
    { ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: MAX_IDS }) },
    { additionalProperties: false },
  ),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);
const Affected = Type.Object({ affected: Type.Integer({ description: 'How many dead letters it acted on' }) });

/** Events the warehouse refused for good: list them, put them back into the backlog, or drop them. */
export const deadLetterRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { deadLetters }) => {
  app.get(
    '/api/dead-letters',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['imports'],
        summary: 'Events the warehouse refused for good, by id',
        querystring: Page,
        response: { 200: Type.Object({ total: Type.Integer(), dead_letters: Type.Array(DeadLetterOutput) }) },
      },
    },
    async (request) => {
      const [total, page] = await Promise.all([deadLetters.count(), deadLetters.list(toPage(request.query))]);
      return { total, dead_letters: page.map(toDeadLetterOutput) };
    },
  );

  const selected = (body: { ids: number[] } | { all: true }) => ('ids' in body ? body.ids : undefined);
  const actions = {
    retry: 'Put dead letters back into the backlog (after fixing the cause); the next load delivers each once',
    drop: 'Give dead letters up: they stay in the store and never reach the warehouse',
  } as const;
  for (const [action, summary] of Object.entries(actions) as [keyof typeof actions, string][]) {
    app.post(
      `/api/dead-letters/${action}`,
      {
        config: { scope: 'admin' },
        schema: { tags: ['imports'], summary, body: Selection, response: { 200: Affected, 400: ErrorBody } },
      },
      async (request) => ({ affected: await deadLetters[action](selected(request.body)) }),
    );
  }
};
