import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteOptions } from '../../http/deps.ts';
import { requireAdmin } from '../auth/admin-session.ts';
import { renderPage } from '../render.ts';

/** Charts drawn in the browser from the stats and marts endpoints (public/dashboard.js, public/site-dashboard.js). */
export const dashboardRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'admins'>> = async (app, { admins }) => {
  // The page calls admin routes (users, tasks, imports) with the admin's session cookie.
  app.addHook('onRequest', requireAdmin(admins));
  app.get('/dashboard', { schema: { hide: true } }, (_request, reply) => renderPage(reply, 'dashboard', {}));
  app.get('/dashboard/site', { schema: { hide: true } }, (_request, reply) => renderPage(reply, 'site-dashboard', {}));
};
