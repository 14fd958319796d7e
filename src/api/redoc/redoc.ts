import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';

const REDOC_JS = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
const LOGO_SVG = new URL('./logo-mini.svg', import.meta.url);
/** The one external asset in Redoc's bundle: the "API docs by Redocly" footer logo. */
const CDN_LOGO = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const LOCAL_LOGO = '/redoc/logo-mini.svg';

/**
 * Redoc at /redoc with every asset served from here: the bundle comes from node_modules with its
 * CDN logo pointed at a local copy, so the page works offline and under a `'self'`-only policy.
 */
export function registerRedoc(app: FastifyInstance): void {
  let bundle: Promise<string> | undefined;
  app.get('/redoc', { schema: { hide: true } }, (_request, reply) =>
    reply
      .type('text/html')
      .send(
        '<!doctype html><html><head><meta charset="utf-8"><title>steplog API</title></head>' +
          '<body><redoc spec-url="/openapi.json"></redoc><script src="/redoc/redoc.standalone.js"></script></body></html>',
      ),
  );
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) => {
    bundle ??= fs.promises.readFile(REDOC_JS, 'utf8').then((js) => js.replaceAll(CDN_LOGO, LOCAL_LOGO));
    return reply.type('application/javascript').send(await bundle);
  });
  app.get(LOCAL_LOGO, { schema: { hide: true } }, (_request, reply) =>
    reply.type('image/svg+xml').send(fs.createReadStream(LOGO_SVG)),
  );
}
