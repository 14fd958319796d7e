import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteOptions } from '../../http/deps.ts';
import { requireAdmin } from '../auth/admin-session.ts';
import { renderPage } from '../render.ts';

/**
 * The main page: act as a user. The page lists users and tasks through the public API and records
 * every view, submit and solve with POST /api/events (public/task-page.js).
 */
export const taskPageRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'admins'>> = async (app, { admins }) => {
  // The page calls admin routes (users, tasks, imports) with the admin's session cookie.
  app.addHook('onRequest', requireAdmin(admins));
  app.get('/', { schema: { hide: true } }, (_request, reply) => renderPage(reply, 'index', {}));
};
