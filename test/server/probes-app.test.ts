import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/server/app.ts';
import { openApp } from '../helpers/app.ts';

// A `--role loader` process serves the probes and /metrics only, from the same runtime.
const full = await openApp();
const probes = await buildApp(full.config, full.runtime, 'probes');
afterAll(async () => {
  await probes.close();
  await full.close();
});

describe("a loader's HTTP face", () => {
  it('answers liveness and readiness without a key', async () => {
    const health = await probes.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toStrictEqual({ status: 'ok', backlog: 0 });
    const ready = await probes.inject({ method: 'GET', url: '/readyz' });
    expect(ready.json()).toMatchObject({ status: 'ready', reasons: [] });
  });

  it('serves /metrics to a metrics key only', async () => {
    expect((await probes.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const authorization = `Bearer ${await full.key('metrics')}`;
    const scrape = await probes.inject({ method: 'GET', url: '/metrics', headers: { authorization } });
    expect(scrape.statusCode).toBe(200);
    expect(scrape.body).toContain('steplog_');
  });

  it('serves neither the API nor the pages', async () => {
    const { authorization } = full;
    for (const url of ['/api/users', '/api/imports', '/', '/admin/login', '/dashboard', '/docs']) {
      expect((await probes.inject({ method: 'GET', url, headers: { authorization } })).statusCode, url).toBe(404);
    }
    const post = await probes.inject({
      method: 'POST',
      url: '/api/events',
      headers: { authorization },
      payload: { user_id: 1, step_id: 1, action: 'view' },
    });
    expect(post.statusCode).toBe(404);
  });
});
