import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteOptions } from '../../http/deps.ts';
import { foundOr404 } from '../../http/errors.ts';
import { AfterId, IdParams } from '../../events/schemas.ts';
import { requireAdmin } from '../auth/admin-session.ts';
import { csrfGuard } from '../auth/csrf-guard.ts';
import { renderPage } from '../render.ts';

const PAGE_SIZE = 100;

const UserForm = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.Union([Type.String({ format: 'email', maxLength: 200 }), Type.Literal('')]),
    registered: Type.Optional(Type.Literal('on')),
    _csrf: Type.String(),
  },
  { additionalProperties: false },
);

/** Users: list and search, create, edit (a checkbox turns a guest into a registered user and back). */
export const adminUserRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'admins' | 'catalog'>> = async (
  app,
  { admins, catalog },
) => {
  // onRequest: before the body is parsed or validated, so an anonymous caller learns nothing about it.
  app.addHook('onRequest', requireAdmin(admins));
  const csrf = csrfGuard(app);

  app.get(
    '/admin/users',
    {
      schema: {
        hide: true,
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 200 })),
            after: Type.Optional(AfterId),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const q = request.query.q?.trim() ?? '';
      const page = { limit: PAGE_SIZE, after: Number(request.query.after ?? 0) };
      const users = q ? await catalog.searchUsers(q, page) : await catalog.listUsers(page);
      return renderPage(reply, 'admin/users', { users, q, pageSize: PAGE_SIZE });
    },
  );

  app.get('/admin/users/new', { schema: { hide: true } }, (_request, reply) =>
    renderPage(reply, 'admin/user-form', { user: null }),
  );

  app.post('/admin/users', { schema: { hide: true, body: UserForm }, ...csrf }, async (request, reply) => {
    const { name, email, registered } = request.body;
    const now = Date.now();
    const user = await catalog.createUser({ name, email, joinDate: now, registrationDate: registered ? now : null });
    return reply.redirect(`/admin/users/${user.id}?saved=1`, 303);
  });

  app.get(
    '/admin/users/:id',
    {
      schema: {
        hide: true,
        params: IdParams,
        querystring: Type.Object({ saved: Type.Optional(Type.Literal('1')) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const user = foundOr404(await catalog.getUser(Number(request.params.id)), 'user', request.params.id);
      return renderPage(reply, 'admin/user-form', { user, saved: request.query.saved === '1' });
    },
  );

  app.post(
    '/admin/users/:id',
    { schema: { hide: true, params: IdParams, body: UserForm }, ...csrf },
    async (request, reply) => {
      const user = foundOr404(await catalog.getUser(Number(request.params.id)), 'user', request.params.id);
      const { name, email, registered } = request.body;
      const registrationDate = registered ? (user.registrationDate ?? Date.now()) : null;
      await catalog.updateUser({ ...user, name, email, registrationDate });
      return reply.redirect(`/admin/users/${user.id}?saved=1`, 303);
    },
  );
};
