import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config/config.ts';
import { AJV_OPTIONS } from '../ingest/validate.ts';
import { apiAuth } from './auth/api-auth.ts';
import { registerErrorHandler } from './errors.ts';
import { registerRedoc } from './redoc/redoc.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { aggregateRoutes } from './routes/aggregates.ts';
import { deadLetterRoutes } from './routes/dead-letters.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { importRoutes } from './routes/imports.ts';
import { martRoutes } from './routes/marts.ts';
import { seedEventRoutes } from './routes/seed-events.ts';
import { siteMartRoutes } from './routes/site-marts.ts';
import { statsRoutes } from './routes/stats.ts';
import { taskRoutes } from './routes/tasks.ts';
import { tasktrackerRoutes } from './routes/tasktracker.ts';
import { userRoutes } from './routes/users.ts';
import { verifyRoutes } from './routes/verify.ts';
import { warehouseRoutes } from './routes/warehouse.ts';
import type { AppDeps } from './deps.ts';
import { webPlugin } from '../web/web-plugin.ts';

export type App = FastifyInstance;

/** The HTTP face of steplog: routes, validation, OpenAPI. Listening is the caller's job. */
export async function buildApp(config: Config, deps: AppDeps): Promise<App> {
  // One pino logger for the process: the pipeline's lines and the HTTP layer's share level and output.
  const loggerInstance: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance,
    // Per-request lines would cost more than the request itself on the ingest path; errors are logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimitBytes,
    ajv: { customOptions: AJV_OPTIONS },
  }).withTypeProvider<TypeBoxTypeProvider>();

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
  await app.register(swaggerUi, { routePrefix: '/docs' });
  registerRedoc(app);
  // JSON only: a text/plain body is answered 415, not parsed into a string.
  app.removeContentTypeParser('text/plain');
  registerErrorHandler(app);
  await app.register(cookie);
  // No global limit: login and answer checks declare their own (the ingest path pays nothing).
  await app.register(rateLimit, { global: false });
  await app.register(apiAuth, { store: deps });

  const routes = [
    healthRoutes,
    userRoutes,
    taskRoutes,
    tasktrackerRoutes,
    eventRoutes,
    seedEventRoutes,
    importRoutes,
    deadLetterRoutes,
    statsRoutes,
    martRoutes,
    siteMartRoutes,
    aggregateRoutes,
    warehouseRoutes,
    verifyRoutes,
  ];
  for (const plugin of routes) await app.register(plugin, { config, ...deps });
  await app.register(webPlugin, { config, ...deps });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  return app;
}
