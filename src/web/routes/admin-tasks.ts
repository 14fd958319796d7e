import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteOptions } from '../../http/deps.ts';
import { foundOr404 } from '../../http/errors.ts';
import { AfterId, IdParams } from '../../events/schemas.ts';
import { requireAdmin } from '../auth/admin-session.ts';
import { csrfGuard } from '../auth/csrf-guard.ts';
import { renderPage } from '../render.ts';

const TaskForm = Type.Object(
  {
    title: Type.String({ minLength: 1, maxLength: 200 }),
    text: Type.String({ maxLength: 100_000 }),
    answer: Type.String({ minLength: 1, maxLength: 1000 }),
    _csrf: Type.String(),
  },
  { additionalProperties: false },
);
const CsrfOnly = Type.Object({ _csrf: Type.String() }, { additionalProperties: false });
const Saved = Type.Object({ saved: Type.Optional(Type.Literal('1')) }, { additionalProperties: false });
const ListQuery = Type.Object(
  { saved: Type.Optional(Type.Literal('1')), after: Type.Optional(AfterId) },
  { additionalProperties: false },
);
const PAGE_SIZE = 100;

/** Tasks (steps): create, read, update, and delete while no event refers to one. */
export const adminTaskRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'admins' | 'catalog'>> = async (
  app,
  { admins, catalog },
) => {
  // onRequest: before the body is parsed or validated, so an anonymous caller learns nothing about it.
  app.addHook('onRequest', requireAdmin(admins));
  const csrf = csrfGuard(app);

  app.get('/admin/tasks', { schema: { hide: true, querystring: ListQuery } }, async (request, reply) =>
    renderPage(reply, 'admin/tasks', {
      tasks: await catalog.listTasks({ limit: PAGE_SIZE, after: Number(request.query.after ?? 0) }),
      deleted: request.query.saved === '1',
      pageSize: PAGE_SIZE,
    }),
  );

  app.get('/admin/tasks/new', { schema: { hide: true } }, (_request, reply) =>
    renderPage(reply, 'admin/task-form', { task: null }),
  );

  app.post('/admin/tasks', { schema: { hide: true, body: TaskForm }, ...csrf }, async (request, reply) => {
    const { title, text, answer } = request.body;
    const task = await catalog.createTask({ title, text, answer });
    return reply.redirect(`/admin/tasks/${task.id}?saved=1`, 303);
  });

  app.get(
    '/admin/tasks/:id',
    { schema: { hide: true, params: IdParams, querystring: Saved } },
    async (request, reply) => {
      const task = foundOr404(await catalog.getTask(Number(request.params.id)), 'task', request.params.id);
      return renderPage(reply, 'admin/task-form', { task, saved: request.query.saved === '1' });
    },
  );

  app.post(
    '/admin/tasks/:id',
    { schema: { hide: true, params: IdParams, body: TaskForm }, ...csrf },
    async (request, reply) => {
      const { title, text, answer } = request.body;
      const updated = await catalog.updateTask({ id: Number(request.params.id), title, text, answer });
      const task = foundOr404(updated, 'task', request.params.id);
      return reply.redirect(`/admin/tasks/${task.id}?saved=1`, 303);
    },
  );

  app.post(
    '/admin/tasks/:id/delete',
    { schema: { hide: true, params: IdParams, body: CsrfOnly }, ...csrf },
    async (request, reply) => {
      foundOr404(await catalog.deleteTask(Number(request.params.id)), 'task', request.params.id);
      return reply.redirect('/admin/tasks?saved=1', 303);
    },
  );
};
