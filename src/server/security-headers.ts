import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy every page passes: scripts, styles, fonts and fetches from this
 * origin only, no inline script or style, no framing. Browser tests fail on any violation.
 */
const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  // Off: the embedded default serves plain HTTP on localhost, where an upgrade would break every asset.
  upgradeInsecureRequests: null,
};

/**
 * The API documents' pages only: Swagger UI and Redoc set inline styles (Redoc's styled-components
 * inject <style> elements), Redoc builds its search index in a blob: worker and shows its logo
 * from its CDN.
 */
const DOCS_HELMET = {
  contentSecurityPolicy: {
    directives: {
      ...CSP_DIRECTIVES,
      styleSrc: ["'self'", "'unsafe-inline'"],
      workerSrc: ["'self'", 'blob:'],
      imgSrc: ["'self'", 'data:', 'https://cdn.redoc.ly'],
    },
  },
};

const isDocs = (url: string) => url.startsWith('/docs') || url.startsWith('/redoc');

/** Helmet on every route: CSP, X-Frame-Options DENY, nosniff, Referrer-Policy no-referrer, and the rest of its defaults. */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  // Before helmet's own onRoute hook, which reads the route's `helmet` option.
  app.addHook('onRoute', (route) => {
    if (isDocs(route.url)) route.helmet = DOCS_HELMET;
  });
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
  });
}
