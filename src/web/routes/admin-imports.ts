import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { AfterId } from '../../events/schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { olderThan } from '../../http/page.ts';
import { toDeadLetterOutput, toImportJobOutput } from '../../http/presenters.ts';
import { requireAdmin } from '../auth/admin-session.ts';
import { csrfGuard } from '../auth/csrf-guard.ts';
import { renderPage } from '../render.ts';

const PAGE_SIZE = 50;

/** The admin overview: import jobs (status, rows, duration, errors), the backlog, "load now", dead letters. */
export const adminImportRoutes: FastifyPluginAsyncTypebox<
  Pick<RouteOptions, 'admins' | 'importJobs' | 'transport' | 'scheduler' | 'deadLetters'>
> = async (app, { admins, importJobs, transport, scheduler, deadLetters }) => {
  // onRequest: before the body is parsed or validated, so an anonymous caller learns nothing about it.
  app.addHook('onRequest', requireAdmin(admins));

  const overview = async (after: string | undefined) => {
    const [jobs, backlog, deadTotal, dead] = await Promise.all([
      importJobs.list(PAGE_SIZE, olderThan(after)),
      transport.backlog(),
      deadLetters.count(),
      deadLetters.list({ limit: 50, after: 0 }),
    ]);
    return {
      jobs: jobs.map(toImportJobOutput),
      pageSize: PAGE_SIZE,
      deadLetters: { total: deadTotal, first: dead.map(toDeadLetterOutput) },
      backlog: {
        events: backlog.events,
        oldestAgeSeconds:
          backlog.oldestReceivedAt === null ? null : Math.round((Date.now() - backlog.oldestReceivedAt) / 1000),
      },
    };
  };

  app.get('/admin', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/admin/imports'));
  app.get(
    '/admin/imports',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ after: Type.Optional(AfterId) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => renderPage(reply, 'admin/imports', await overview(request.query.after)),
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
  app.post(
    '/admin/dead-letters/:action',
    {
      schema: {
        hide: true,
        params: Type.Object({ action: Type.Union([Type.Literal('retry'), Type.Literal('drop')]) }),
        body: Type.Object({ _csrf: Type.String() }, { additionalProperties: false }),
      },
      ...csrfGuard(app),
    },
    async (request, reply) => {
      await (request.params.action === 'retry' ? deadLetters.retry() : deadLetters.drop());
      return reply.redirect('/admin/imports', 303);
    },
  );
};
