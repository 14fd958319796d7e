import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import fp from 'fastify-plugin';
import type { RouteOptions } from '../http/deps.ts';
import { healthRoutes } from './routes/health.ts';
import { readyRoutes } from './routes/ready.ts';

/** Liveness and readiness: what every role serves, the loader included (for its orchestrator). */
const probes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, options) => {
  await app.register(healthRoutes, options);
  await app.register(readyRoutes, options);
};

export const probesPlugin = fp(probes, {
  name: 'steplog-probes',
  dependencies: ['steplog-api-auth'],
  encapsulate: true,
});
