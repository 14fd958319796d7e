import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Eta } from 'eta';
import fp from 'fastify-plugin';
import type { RouteOptions } from '../http/deps.ts';
import { adminSession } from './auth/admin-session.ts';
import { csrfUserInfo } from './auth/csrf-guard.ts';
import { adminImportRoutes } from './routes/admin-imports.ts';
import { adminTaskRoutes } from './routes/admin-tasks.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { dashboardRoutes } from './routes/dashboard.ts';
import { sqlConsoleRoutes } from './routes/sql-console.ts';
import { taskPageRoutes } from './routes/task-page.ts';

// The package exports no path to its browser bundle; it sits beside the CommonJS entry.
const CHART_JS = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

/**
 * The web pages: server-rendered Eta templates plus a little static JS per page. Pages call the
 * same public JSON API as any client; admin pages sit behind a session cookie and CSRF tokens.
 */
const web: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  await app.register(formbody);
  await app.register(csrf, {
    getUserInfo: csrfUserInfo,
    // Signs the session binding; a new key per process only means a page reload after a restart.
    csrfOpts: { hmacKey: randomBytes(32).toString('base64') },
    cookieKey: 'steplog_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: options.config.cookieSecure },
  });
  await app.register(view, {
    engine: { eta: new Eta() },
    root: path.join(import.meta.dirname, 'views'),
    // Templates are read once and cached: they ship with the code and change only with a restart.
    production: true,
  });
  await app.register(fastifyStatic, {
    root: path.join(import.meta.dirname, 'public'),
    prefix: '/assets/',
    decorateReply: false,
  });
  app.get('/assets/vendor/chart.umd.min.js', { schema: { hide: true } }, (_request, reply) =>
    reply.type('application/javascript').send(fs.createReadStream(CHART_JS)),
  );

  await app.register(adminSession, options);
  const pages: FastifyPluginAsyncTypebox<RouteOptions>[] = [taskPageRoutes, dashboardRoutes];
  for (const plugin of pages) await app.register(plugin, options);
  const adminPages: FastifyPluginAsyncTypebox<RouteOptions>[] = [
    adminUserRoutes,
    adminTaskRoutes,
    adminImportRoutes,
    sqlConsoleRoutes,
  ];
  for (const plugin of adminPages) {
    await app.register(plugin, options);
  }
};

/**
 * Encapsulated: form bodies, CSRF and templates stay inside the pages (the JSON API answers a form
 * body 415). It opens nothing that outlives a request.
 */
export const webPlugin = fp(web, {
  name: 'steplog-web',
  dependencies: ['@fastify/cookie', '@fastify/rate-limit', '@fastify/helmet'],
  encapsulate: true,
});
