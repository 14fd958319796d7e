import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { RouteOptions } from '../../http/deps.ts';
import { hashToken } from '../../auth/api-key.ts';
import { SESSION_COOKIE } from '../../auth/session-cookie.ts';
import type { Admin, AdminAccounts } from '../../store/admin-accounts.ts';
import { renderPage } from '../render.ts';
import { csrfGuard } from './csrf-guard.ts';
import { hashPassword, verifyPassword } from '../../auth/password.ts';

declare module 'fastify' {
  interface FastifyRequest {
    admin?: Admin;
  }
}

/** Answers pages with a redirect to the login form, and fetch() calls with a 401. */
export const requireAdmin =
  (admins: Pick<AdminAccounts, 'sessionAdmin'>) =>
  async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const token = request.cookies[SESSION_COOKIE];
    const admin = token ? await admins.sessionAdmin(hashToken(token), Date.now()) : undefined;
    if (admin) {
      request.admin = admin;
      return;
    }
    if (request.method === 'GET') {
      return reply.redirect(`/admin/login?next=${encodeURIComponent(request.url)}`);
    }
    return reply.code(401).send({ error: 'unauthenticated', message: 'log in at /admin/login first' });
  };

const LoginForm = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 100 }),
    password: Type.String({ minLength: 1, maxLength: 1000 }),
    next: Type.Optional(Type.String({ maxLength: 2000 })),
    _csrf: Type.String(),
  },
  { additionalProperties: false },
);

/** Only local admin paths: never an open redirect to another site. */
const safeNext = (next: string | undefined) => (next && /^\/admin(\/[\w\-/?=&%.]*)?$/.test(next) ? next : '/admin');

export const adminSession: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'admins' | 'config'>> = async (
  app,
  { admins, config },
) => {
  // Compared against when the username is unknown, so a wrong name costs as long as a wrong password.
  const decoyHash = await hashPassword(randomBytes(16).toString('hex'));

  app.get(
    '/admin/login',
    {
      schema: {
        hide: true,
        querystring: Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) }),
      },
    },
    (request, reply) => renderPage(reply, 'admin/login', { next: safeNext(request.query.next), failed: false }),
  );

  // Per IP before the body is read; per username (from any IP) once it is: 429 with Retry-After.
  const { loginPerIp, loginPerUsername } = config.limits;
  const perIp = app.rateLimit({
    max: loginPerIp.max,
    timeWindow: loginPerIp.windowMs,
    keyGenerator: (request) => `login-ip:${request.ip}`,
  });
  // A second limiter on one request must be called by hand: the plugin's hook runs once per request.
  const usernameLimit = app.createRateLimit({
    max: loginPerUsername.max,
    timeWindow: loginPerUsername.windowMs,
    keyGenerator: (request) => `login-user:${(request.body as { username: string }).username.toLowerCase()}`,
  });
  const perUsername = async (request: FastifyRequest, reply: FastifyReply) => {
    const limit = await usernameLimit(request);
    if (limit.isAllowed || !limit.isExceeded) return;
    request.log.warn({ audit: 'login_limited', ip: request.ip }, 'login refused: too many attempts');
    return reply
      .code(429)
      .header('retry-after', String(limit.ttlInSeconds))
      .send({ error: 'rate_limited', message: `too many logins for this username; retry in ${limit.ttlInSeconds} s` });
  };
  const { preHandler: csrf } = csrfGuard(app);
  const login = { schema: { hide: true, body: LoginForm }, onRequest: perIp, preHandler: [perUsername, csrf] };
  app.post('/admin/login', login, async (request, reply) => {
    const { username, password, next } = request.body;
    const admin = await admins.find(username);
    const valid = await verifyPassword(password, admin?.passwordHash ?? decoyHash);
    if (!admin || !valid) {
      request.log.warn({ audit: 'login_refused', username, ip: request.ip }, 'login refused');
      reply.code(401);
      return renderPage(reply, 'admin/login', { next: safeNext(next), failed: true });
    }
    const token = randomBytes(32).toString('base64url');
    await admins.createSession(hashToken(token), admin.id, Date.now() + config.sessionTtlMs);
    return reply
      .setCookie(SESSION_COOKIE, token, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: config.cookieSecure,
        maxAge: Math.floor(config.sessionTtlMs / 1000),
      })
      .redirect(safeNext(next), 303);
  });

  app.post(
    '/admin/logout',
    {
      schema: { hide: true, body: Type.Object({ _csrf: Type.String() }, { additionalProperties: false }) },
      ...csrfGuard(app),
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await admins.deleteSession(hashToken(token));
      return reply.clearCookie(SESSION_COOKIE, { path: '/' }).redirect('/admin/login', 303);
    },
  );
};
