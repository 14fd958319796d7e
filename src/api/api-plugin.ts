import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import type { RouteOptions } from '../http/deps.ts';
import { registerRedoc } from './redoc/redoc.ts';
import { aggregateRoutes } from './routes/aggregates.ts';
import { backupRoutes } from './routes/backup.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { eraseUserRoutes } from './routes/erase-user.ts';
import { eventRoutes } from './routes/events.ts';
import { importRoutes } from './routes/imports.ts';
import { martRoutes } from './routes/marts.ts';
import { seedEventRoutes } from './routes/seed-events.ts';
import { siteMartRoutes } from './routes/site-marts.ts';
import { siteVerifyRoutes } from './routes/site-verify.ts';
import { statsRoutes } from './routes/stats.ts';
import { taskRoutes } from './routes/tasks.ts';
import { tasktrackerRoutes } from './routes/tasktracker.ts';
import { userRoutes } from './routes/users.ts';
import { verifyRoutes } from './routes/verify.ts';
import { warehouseRoutes } from './routes/warehouse.ts';

/** Each route plugin declares the ports it uses; all are handed the one options object. */
const routes: FastifyPluginAsyncTypebox<RouteOptions>[] = [
  userRoutes,
  eraseUserRoutes,
  taskRoutes,
  tasktrackerRoutes,
  eventRoutes,
  seedEventRoutes,
  importRoutes,
  deadLetterRoutes,
  statsRoutes,
  martRoutes,
  siteMartRoutes,
  aggregateRoutes,
  backupRoutes,
  warehouseRoutes,
  verifyRoutes,
  siteVerifyRoutes,
];

/** The JSON API and its documents. It opens nothing of its own: the stores it uses belong to the runtime. */
const api: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  for (const plugin of routes) await app.register(plugin, options);
  registerRedoc(app);
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
};

/** Encapsulated: what the API registers stays out of the web pages, and the reverse. */
export const apiPlugin = fp(api, {
  name: 'steplog-api',
  dependencies: ['@fastify/swagger', '@fastify/rate-limit', 'steplog-api-auth'],
  encapsulate: true,
});
