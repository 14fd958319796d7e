import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import { runInRequest } from '../runtime/request-context.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
/** A caller's id is kept when it is a plain token (a proxy's or a client's); anything else gets a UUID. */
const CALLER_ID = /^[\w.:@/-]{1,128}$/;

/** Fastify's `genReqId`: the caller's `x-request-id`, or a new UUID. */
export function requestId(request: IncomingMessage): string {
  const given = request.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && CALLER_ID.test(given) ? given : randomUUID();
}

/**
 * Handles each request inside its context (id, route pattern) and echoes the id in
 * `x-request-id`. The request's logger adds no binding of its own: the process logger's mixin
 * (`requestIdMixin`) puts the id on every line logged during the request — by the route, the
 * pipeline or the loader alike — exactly once.
 */
export const requestContext = fp(
  async (app) => {
    app.setChildLoggerFactory((logger, _bindings, options) => logger.child({}, options));
    app.addHook('onRequest', (request, reply, done) => {
      reply.header(REQUEST_ID_HEADER, request.id);
      runInRequest({ requestId: request.id, route: request.routeOptions.url ?? 'unmatched' }, done);
    });
  },
  { name: 'steplog-request-context' },
);
