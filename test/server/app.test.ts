import { afterAll, describe, expect, it } from 'vitest';
import { openApp } from '../helpers/app.ts';

const { app, authorization, close } = await openApp();
afterAll(close);

describe('the HTTP shell', () => {
  it('registers the API and the web pages as named sibling plugins', () => {
    expect(app.hasPlugin('steplog-api')).toBe(true);
    expect(app.hasPlugin('steplog-web')).toBe(true);
    // Encapsulated: what each face registers stays inside it, whatever order they are registered in.
    expect(app.hasContentTypeParser('application/x-www-form-urlencoded')).toBe(false);
    expect(app.hasReplyDecorator('view')).toBe(false);
    expect(app.hasRoute({ method: 'GET', url: '/admin/login' })).toBe(true);
  });

  it("keeps the pages' form parsing out of the JSON API: a form body to /api is 415", async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/users',
      headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=x',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it("gives both faces the shell's security headers, error bodies and auth", async () => {
    const page = await app.inject({ method: 'GET', url: '/admin/login' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const anonymous = await app.inject({ method: 'GET', url: '/api/users' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['x-frame-options']).toBe('DENY');
    const missing = await app.inject({ method: 'GET', url: '/api/users/999', headers: { authorization } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toStrictEqual({ error: 'not_found', message: 'user 999 does not exist', field: 'id' });
  });

  it('documents the API routes and hides the pages', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toContain('/api/events');
    expect(Object.keys(spec.paths).filter((p) => p.startsWith('/admin'))).toEqual([]);
  });
});
