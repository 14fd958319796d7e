import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hashToken } from '../../auth/api-key.ts';
import { SESSION_COOKIE } from '../../auth/session-cookie.ts';

/**
 * What binds a CSRF token to the admin session: the session token's hash (a fixed word before
 * login: the library refuses an empty one). A token minted for one session fails in any other,
 * so a tossed CSRF cookie plus its token from the attacker's own session gets nowhere.
 */
export const csrfUserInfo = (request: FastifyRequest): string => {
  const session = request.cookies[SESSION_COOKIE];
  return session === undefined ? 'anonymous' : hashToken(session);
};

/**
 * Route options that check the CSRF token (form field `_csrf` or header `x-csrf-token`) after the
 * body is parsed and after the admin session hook, so an anonymous caller gets 401, not 403.
 */
export const csrfGuard = (app: FastifyInstance) => ({ preHandler: app.csrfProtection.bind(app) });
