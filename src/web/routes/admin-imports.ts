import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { RouteOptions } from '../../api/deps.ts';
import { toImportJobOutput } from '../../api/routes/imports.ts';
import { requireAdmin } from '../auth/admin-session.ts';
import { csrfGuard } from '../auth/csrf-guard.ts';
import { renderPage } from '../render.ts';

/** The admin overview: import jobs (status, rows, duration, errors), the backlog, and "load now". */
export const adminImportRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (
  app,
  { store, transport, scheduler },
) => {
  // onRequest: before the body is parsed or validated, so an anonymous caller learns nothing about it.
  app.addHook('onRequest', requireAdmin(store));

  const overview = async () => {
    const [jobs, backlog] = await Promise.all([store.listImportJobs(50), transport.backlog()]);
    return {
      jobs: jobs.map(toImportJobOutput),
      backlog: {
        events: backlog.events,
        oldestAgeSeconds:
          backlog.oldestReceivedAt === null ? null : Math.round((Date.now() - backlog.oldestReceivedAt) / 1000),
      },
    };
  };

  app.get('/admin', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/admin/imports'));
  app.get('/admin/imports', { schema: { hide: true } }, async (_request, reply) =>
    renderPage(reply, 'admin/imports', await overview()),
  );
  app.post(
    '/admin/imports',
    {
      schema: { hide: true, body: Type.Object({ _csrf: Type.String() }, { additionalProperties: false }) },
      ...csrfGuard(app),
    },
    async (_request, reply) => {
      await scheduler.run('manual');
      return reply.redirect('/admin/imports', 303);
    },
  );
};
