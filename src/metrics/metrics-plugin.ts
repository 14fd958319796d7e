import type { FastifyError, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { unreadableBodyCode } from '../http/errors.ts';
import type { EventFamily, RejectionReason } from '../ingest/ingest-observer.ts';
import type { Metrics } from './metrics.ts';

const INGEST_ROUTES = new Map<string, EventFamily>([
  ['/api/events', 'learning'],
  ['/api/events/batch', 'learning'],
  ['/api/site-events', 'site'],
  ['/api/site-events/batch', 'site'],
]);
const ADMIN_LOGIN = '/admin/login';

/** Refusals Fastify answers before the ingest handler runs (the handler's own are counted by ingest). */
const unreadBodyReason = (error: FastifyError): RejectionReason | undefined =>
  error.validation ? 'validation' : unreadableBodyCode(error);

/** Events a refused body held: a batch's array when it could be read, else the one body. */
const eventsIn = (request: FastifyRequest) => {
  const events = (request.body as { events?: unknown } | undefined)?.events;
  return request.routeOptions.url?.endsWith('/batch') && Array.isArray(events) ? events.length : 1;
};

/**
 * `GET /metrics` (Prometheus text format, `metrics` scope) and the HTTP-side metrics: request
 * durations by route pattern, ingest bodies refused before the handler, admin logins.
 */
export const metricsPlugin = fp<{ metrics: Metrics }>(
  async (app, { metrics }) => {
    app.get(
      '/metrics',
      {
        config: { scope: 'metrics' },
        schema: {
          tags: ['ops'],
          summary: 'Prometheus metrics (text exposition format)',
          produces: ['text/plain'],
        },
      },
      async (_request, reply) =>
        reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()),
    );

    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const status = reply.statusCode;
      metrics.httpDuration.observe(
        { method: request.method, route, status_code: String(status) },
        reply.elapsedTime / 1000,
      );
      if (route === ADMIN_LOGIN && request.method === 'POST') {
        metrics.adminLogins.inc({ result: status < 400 ? 'ok' : status === 429 ? 'rate_limited' : 'refused' });
      }
    });

    app.addHook('onError', async (request, _reply, error) => {
      const family = INGEST_ROUTES.get(request.routeOptions.url ?? '');
      if (family === undefined) return;
      const reason = unreadBodyReason(error);
      if (reason !== undefined) metrics.rejected(family, reason, eventsIn(request));
    });
  },
  { name: 'steplog-metrics' },
);
