import type { FastifyInstance } from 'fastify';

/**
 * Route options that check the CSRF token (form field `_csrf` or header `x-csrf-token`) after the
 * body is parsed and after the admin session hook, so an anonymous caller gets 401, not 403.
 */
export const csrfGuard = (app: FastifyInstance) => ({ preHandler: app.csrfProtection.bind(app) });
