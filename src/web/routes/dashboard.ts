import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { RouteOptions } from '../../api/deps.ts';
import { renderPage } from '../render.ts';

/** Charts drawn in the browser from the public stats and marts endpoints (public/dashboard.js). */
export const dashboardRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app) => {
  app.get('/dashboard', { schema: { hide: true } }, (_request, reply) => renderPage(reply, 'dashboard', {}));
};
