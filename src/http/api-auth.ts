import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { grants, hashToken, type Scope } from '../auth/api-key.ts';
import { SESSION_COOKIE } from '../auth/session-cookie.ts';
import type { AdminAccounts } from '../store/admin-accounts.ts';
import type { ApiKeyStore } from '../store/api-keys.ts';

/** Who called: an API key, or a logged-in admin's session cookie (the web pages' fetch calls). */
export type Credential =
  | { readonly kind: 'key'; readonly keyId: number; readonly name: string; readonly scope: Scope }
  | { readonly kind: 'session'; readonly adminId: number; readonly username: string; readonly scope: 'admin' };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a route needs; `public` for the one route that needs none (/healthz). */
    scope?: Scope | 'public';
  }
  interface FastifyRequest {
    credential?: Credential;
  }
}

/** What authentication reads: the keys and the web admin's sessions (a session counts as an admin key). */
interface ApiAuthStore {
  readonly apiKeys: Pick<ApiKeyStore, 'findLive'>;
  readonly admins: Pick<AdminAccounts, 'sessionAdmin'>;
}

const BEARER = /^Bearer ([A-Za-z0-9_-]{1,200})$/;

/** Every /api route and the ops routes must say which scope they need: a route that forgets fails start-up. */
const guarded = (url: string) => url.startsWith('/api/') || ['/healthz', '/readyz', '/metrics'].includes(url);

async function authenticate(request: FastifyRequest, store: ApiAuthStore): Promise<Credential | string> {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) return 'malformed Authorization header';
    const key = await store.apiKeys.findLive(hashToken(token));
    return key ? { kind: 'key', keyId: key.id, name: key.name, scope: key.scope } : 'unknown or revoked key';
  }
  const session = request.cookies[SESSION_COOKIE];
  if (session === undefined) return 'no key';
  const admin = await store.admins.sessionAdmin(hashToken(session), Date.now());
  return admin ? { kind: 'session', adminId: admin.id, username: admin.username, scope: 'admin' } : 'expired session';
}

/**
 * API keys with scopes, checked in onRequest — before the body is read or validated, so a caller
 * without the right key learns nothing about the body and nothing is written: no key → 401, a key
 * of another scope → 403.
 */
export const apiAuth = fp<{ store: ApiAuthStore }>(
  async (app, { store }) => {
    app.addHook('onRoute', (route) => {
      const scope = route.config?.scope;
      // Routes elsewhere (the seed-compatible /events/) are guarded when they declare a scope.
      if (!guarded(route.url) && scope === undefined) return;
      if (scope === undefined) throw new Error(`route ${String(route.method)} ${route.url} declares no scope`);
      route.schema ??= {};
      if (scope === 'public') {
        route.schema.security = [];
        return;
      }
      const needs = `Needs an API key of scope \`${scope}\`${scope === 'admin' ? '' : ' (or admin)'}.`;
      route.schema.description = route.schema.description ? `${route.schema.description} ${needs}` : needs;
    });

    app.addHook('onRequest', async (request, reply) => {
      const needed = request.routeOptions.config.scope;
      if (needed === undefined || needed === 'public') return;
      const credential = await authenticate(request, store);
      const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
      if (typeof credential === 'string') {
        request.log.warn({ audit: 'auth_refused', reason: credential, route, ip: request.ip }, 'request refused');
        return reply
          .code(401)
          .header('www-authenticate', 'Bearer')
          .send({ error: 'unauthenticated', message: `send Authorization: Bearer <key> (${credential})` });
      }
      if (!grants(credential.scope, needed)) {
        request.log.warn(
          { audit: 'scope_refused', route, ip: request.ip, scope: credential.scope, needed, ...who(credential) },
          'request refused',
        );
        return reply
          .code(403)
          .send({ error: 'forbidden', message: `this route needs a key of scope ${needed}, not ${credential.scope}` });
      }
      request.credential = credential;
    });
  },
  { name: 'steplog-api-auth', dependencies: ['@fastify/cookie'] },
);

/** A stable name for whoever called, for per-caller limits. */
export const credentialId = (credential: Credential | undefined): string =>
  credential === undefined
    ? 'anonymous'
    : credential.kind === 'key'
      ? `key:${credential.keyId}`
      : `admin:${credential.adminId}`;

/** Names a credential in logs without its secret. */
export const who = (credential: Credential) =>
  credential.kind === 'key' ? { keyId: credential.keyId, keyName: credential.name } : { admin: credential.username };
