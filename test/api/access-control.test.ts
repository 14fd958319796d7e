import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grants, SCOPES, type Scope } from '../../src/auth/api-key.ts';
import { api, runCli, startServer, type ServerProcess } from '../helpers/server.ts';

let server: ServerProcess;
/** One key of each scope; `read` and `metrics` made with `steplog keys create` while the server runs. */
let keys: Record<Scope, string>;
/** The user the personal-data test creates; the next test sends an event of theirs. */
let userId = 0;

const lastLine = (text: string) => text.trim().split('\n').at(-1)!;

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' });
  const made = await runCli(['keys', 'create', '--scope', 'read', '--name', 'dashboard'], {
    STEPLOG_DATA_DIR: server.dataDir,
  });
  expect(made, made.stderr).toMatchObject({ code: 0 });
  const scraper = await runCli(['keys', 'create', '--scope', 'metrics', '--name', 'prometheus'], {
    STEPLOG_DATA_DIR: server.dataDir,
  });
  expect(scraper, scraper.stderr).toMatchObject({ code: 0 });
  keys = {
    admin: server.keys.admin,
    ingest: server.keys.ingest,
    read: lastLine(made.stdout),
    metrics: lastLine(scraper.stdout),
  };
  // Audited on stderr, without the secret.
  expect(made.stderr).toContain('"audit":"key_created"');
  expect(made.stderr).not.toContain(keys.read);
});
afterAll(() => server?.stop());

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly scope: Scope | 'public';
}

/** Every operation of the OpenAPI document, with the scope its description names. */
async function operations(): Promise<Operation[]> {
  const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, { description?: string; security?: unknown[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([route, methods]) =>
    Object.entries(methods).map(([method, op]) => {
      const scope = /Needs an API key of scope `(\w+)`/.exec(op.description ?? '')?.[1];
      return {
        method: method.toUpperCase(),
        path: route.replace(/\{[^}]+\}/g, '1'),
        scope: op.security?.length === 0 ? 'public' : (scope as Scope),
      };
    }),
  );
}

describe('API keys', () => {
  it('are made on the first start, printed once and kept in a file only the owner reads', () => {
    expect(server.output()).toContain(keys.admin);
    expect(server.output()).toContain(keys.ingest);
    const file = path.join(server.dataDir, 'api-keys.env');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(keys.admin).toMatch(/^sl_admin_[\w-]{43}$/);
  });

  it('every route in the OpenAPI document but the probes refuses a missing key and a key of another scope', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(20);
    expect(ops).toContainEqual({ method: 'GET', path: '/metrics', scope: 'metrics' });
    expect(ops.filter((op) => op.scope === 'public').map((op) => op.path)).toEqual(['/healthz', '/readyz']);
    for (const op of ops) {
      const route = `${op.method} ${op.path}`;
      if (op.scope === 'public') {
        expect((await api(server.url, op.method, op.path, undefined, null)).status, route).toBe(200);
        continue;
      }
      expect(SCOPES, route).toContain(op.scope);
      // A body the schema would refuse: the answer must still be about the key, never the body.
      const body = op.method === 'GET' ? undefined : { unexpected: true };
      const anonymous = await api(server.url, op.method, op.path, body, null);
      expect(anonymous, route).toMatchObject({ status: 401, body: { error: 'unauthenticated' } });
      expect(anonymous.headers.get('www-authenticate'), route).toBe('Bearer');
      const unknown = await api(server.url, op.method, op.path, body, 'sl_admin_' + 'x'.repeat(43));
      expect(unknown.status, route).toBe(401);
      const others = SCOPES.filter((held) => !grants(held, op.scope as Scope));
      expect(others.length, route).toBeGreaterThan(0);
      for (const held of others) {
        expect((await api(server.url, op.method, op.path, body, keys[held])).status, `${route} with ${held}`).toBe(403);
      }
    }
    // Each refusal is audited, without the key that was sent.
    expect(server.output()).toContain('"audit":"auth_refused"');
    expect(server.output()).toContain('"audit":"scope_refused"');
    expect(server.output()).not.toContain('x'.repeat(43));
    // Nothing was written by any refused request.
    const { body } = await api(server.url, 'GET', '/api/imports?limit=10');
    expect(body.jobs).toEqual([]);
    expect((await api(server.url, 'GET', '/api/users')).body.users).toEqual([]);
    expect((await api(server.url, 'GET', '/api/tasks')).body.tasks).toEqual([]);
  });

  it('gives personal data (names, emails) to admin keys only', async () => {
    const ops = await operations();
    for (const route of ['/api/users', '/api/users/1', '/api/verify/run']) {
      for (const op of ops.filter((o) => o.path === route)) expect(op.scope, `${op.method} ${route}`).toBe('admin');
    }
    userId = (await api(server.url, 'POST', '/api/users', { name: 'Ann', email: 'ann@example.com' })).body.id;
    expect((await api(server.url, 'GET', '/api/users', undefined, keys.read)).status).toBe(403);
    expect((await api(server.url, 'GET', '/api/users', undefined, keys.ingest)).status).toBe(403);
  });

  it('lets each scope do its own part', async () => {
    const stepId = (await api(server.url, 'POST', '/api/tasks', { title: 'T' })).body.id;
    const event = { user_id: userId, step_id: stepId, action_id: 0 };
    expect((await api(server.url, 'POST', '/api/events', event, keys.ingest)).status).toBe(202);
    const stats = await api(
      server.url,
      'GET',
      '/api/stats/daily-users?from=2026-11-01&to=2026-11-02',
      undefined,
      keys.read,
    );
    expect(stats.status).toBe(200);
  });

  it('shows the Authorize scheme in OpenAPI', async () => {
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as Record<string, any>;
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.security).toEqual([{ apiKey: [] }]);
  });

  it('lists keys without their secret and revokes one at once, server running or not', async () => {
    const env = { STEPLOG_DATA_DIR: server.dataDir };
    const listed = await runCli(['keys', 'list'], env);
    expect(listed.stdout).toContain('dashboard');
    expect(listed.stdout).not.toContain(keys.read);
    expect(listed.stdout).toContain(keys.read.slice(0, 12));
    const id = /│\s*(\d+)\s*│\s*dashboard/.exec(listed.stdout)?.[1];
    expect(id).toBeDefined();
    const revoked = await runCli(['keys', 'revoke', id!], env);
    expect(revoked.stdout).toContain(`revoked key ${id}`);
    expect(revoked.stderr).toContain('"audit":"key_revoked"');
    expect(
      (await api(server.url, 'GET', '/api/stats/daily-users?from=2026-11-01&to=2026-11-02', undefined, keys.read))
        .status,
    ).toBe(401);
    expect(await runCli(['keys', 'revoke', id!], env)).toMatchObject({ code: 1 });
    const bad = await runCli(['keys', 'create', '--scope', 'root', '--name', 'x'], env);
    expect(bad.code).toBe(1);
  });
});

describe('CLI commands that talk to a server', () => {
  it('send STEPLOG_API_KEY or --key, and say so when the server refuses', async () => {
    const env = { STEPLOG_DATA_DIR: server.dataDir, STEPLOG_URL: server.url };
    const without = await runCli(['migrate', 'status'], env);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('401');
    expect((await runCli(['migrate', 'status', '--key', keys.admin], env)).code).toBe(0);
    expect((await runCli(['migrate', 'status'], { ...env, STEPLOG_API_KEY: keys.ingest })).stderr).toContain('403');
  });
});
