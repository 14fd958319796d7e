import type { FastifyReply } from 'fastify';
import { csrfUserInfo } from './auth/csrf-guard.ts';

/** Renders a page with what every layout needs: the CSRF token for its forms and who is logged in. */
export function renderPage(reply: FastifyReply, template: string, data: Record<string, unknown>): Promise<string> {
  return reply.type('text/html; charset=utf-8').viewAsync(template, {
    ...data,
    csrf: reply.generateCsrf({ userInfo: csrfUserInfo(reply.request) }),
    admin: reply.request.admin ?? null,
  });
}
