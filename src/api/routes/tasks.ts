import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams, Page, TaskInput, TaskOutput } from '../../events/schemas.ts';
import { credentialId } from '../../http/api-auth.ts';
import { foundOr404 } from '../../http/errors.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { toPage } from '../../http/page.ts';

export const taskRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'catalog' | 'config'>> = async (
  app,
  { catalog, config },
) => {
  app.post(
    '/api/tasks',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tasks'],
        summary: 'Create a task (a step)',
        body: TaskInput,
        response: { 201: TaskOutput, 400: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { title, text, answer } = request.body;
      return reply.code(201).send(await catalog.createTask({ title, text, answer }));
    },
  );

  app.get(
    '/api/tasks',
    {
      config: { scope: 'admin' },
      schema: {
        tags: ['tasks'],
        summary: 'List tasks by id',
        querystring: Page,
        response: { 200: Type.Object({ tasks: Type.Array(TaskOutput) }) },
      },
    },
    async (request) => ({ tasks: await catalog.listTasks(toPage(request.query)) }),
  );

  app.get(
    '/api/tasks/:id',
    {
      config: { scope: 'admin' },
      schema: { tags: ['tasks'], summary: 'One task', params: IdParams, response: { 200: TaskOutput, 404: ErrorBody } },
    },
    async (request) => {
      return foundOr404(await catalog.getTask(Number(request.params.id)), 'task', request.params.id);
    },
  );

  app.post(
    '/api/tasks/:id/check',
    {
      config: {
        scope: 'admin',
        // Per credential and task, after the key check (preHandler): guessing answers takes forever.
        rateLimit: {
          hook: 'preHandler',
          max: config.limits.answerCheck.max,
          timeWindow: config.limits.answerCheck.windowMs,
          keyGenerator: (request) => `${credentialId(request.credential)}:${(request.params as { id: string }).id}`,
        },
      },
      schema: {
        tags: ['tasks'],
        summary: 'Whether an answer solves the task (records nothing: post the submit and solve events yourself)',
        params: IdParams,
        body: Type.Object({ answer: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ correct: Type.Boolean() }), 404: ErrorBody },
      },
    },
    async (request) => {
      const task = foundOr404(await catalog.getTask(Number(request.params.id)), 'task', request.params.id);
      const normalize = (text: string) => text.trim().toLowerCase();
      return { correct: task.answer !== '' && normalize(request.body.answer) === normalize(task.answer) };
    },
  );
};
