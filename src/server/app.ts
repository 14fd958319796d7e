import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { apiPlugin } from '../api/api-plugin.ts';
import { probesPlugin } from '../api/probes-plugin.ts';
import { AJV_OPTIONS } from '../events/ajv-options.ts';
import { apiAuth } from '../http/api-auth.ts';
import type { AppDeps } from '../http/deps.ts';
import { registerErrorHandler } from '../http/errors.ts';
import { metricsPlugin } from '../metrics/metrics-plugin.ts';
import { requestContext, requestId } from './request-context.ts';
import { webPlugin } from '../web/web-plugin.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export type App = FastifyInstance;

/** What one process serves: everything, or (a `--role loader` process) only probes and metrics. */
export type Faces = 'all' | 'probes';

/**
 * The HTTP shell: one Fastify with what every face shares (logging, limits, validation settings,
 * errors, security headers, OpenAPI, cookies, rate limits, API-key auth), and the two faces — the
 * JSON API and the web pages — registered beside each other. Listening is the caller's job.
 */
export async function buildApp(config: Config, deps: AppDeps, faces: Faces = 'all'): Promise<App> {
  // One pino logger for the process: the pipeline's lines and the HTTP layer's share level and output.
  const loggerInstance: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance,
    // Per-request lines would cost more than the request itself on the ingest path; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    ajv: { customOptions: AJV_OPTIONS },
    genReqId: requestId,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(requestContext);

  await registerSecurityHeaders(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'steplog',
        version: '0.1.0',
        description:
          'Event collection for a learning platform: users view, submit and solve steps; events are stored durably and loaded into ClickHouse.',
      },
      tags: [
        { name: 'events' },
        { name: 'site events', description: "The de-demo seed's site events: views, clicks, purchases" },
        { name: 'users' },
        { name: 'tasks' },
        { name: 'imports' },
        { name: 'stats' },
        { name: 'marts', description: 'Activity marts merged from the daily -State aggregates' },
        { name: 'site marts', description: 'Marts over site events: activity, sessions, experiments, top pages' },
        { name: 'ops' },
        { name: 'verify', description: 'Proof of delivery: what ClickHouse holds of given events' },
      ],
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description:
              'An API key (`steplog keys create --scope ingest|read|admin`). Each route names the scope it needs.',
          },
        },
      },
      security: [{ apiKey: [] }],
    },
  });
  if (faces === 'all') await app.register(swaggerUi, { routePrefix: '/docs' });
  // JSON only: a text/plain body is answered 415, not parsed into a string.
  app.removeContentTypeParser('text/plain');
  registerErrorHandler(app);
  await app.register(cookie);
  // No global limit: login and answer checks declare their own (the ingest path pays nothing).
  await app.register(rateLimit, { global: false });
  await app.register(apiAuth, { store: deps });
  await app.register(metricsPlugin, { metrics: deps.metrics });

  const options = { config, ...deps };
  await app.register(probesPlugin, options);
  if (faces === 'probes') return app;
  await app.register(apiPlugin, options);
  await app.register(webPlugin, options);
  return app;
}
