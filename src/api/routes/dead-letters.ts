import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, Page } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { DeadLetterOutput, toDeadLetterOutput } from '../../http/presenters.ts';
import { toPage } from '../../http/page.ts';

/** Most ids one retry or drop may name; `{all: true}` acts on every dead letter. */
const MAX_IDS = 10_000;

const Selection = Type.Union([
  Type.Object(
    { ids: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: MAX_IDS }) },
    { additionalProperties: false },
  ),
  Type.Object({ all: Type.Literal(true) }, { additionalProperties: false }),
]);
const Affected = Type.Object({ affected: Type.Integer({ description: 'How many dead letters it acted on' }) });

/** Events the warehouse refused for good: list them, put them back into the backlog, or drop them. */
export const deadLetterRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'deadLetters'>> = async (
  app,
  { deadLetters },
) => {
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
