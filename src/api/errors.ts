import type { FastifyError, FastifyInstance } from 'fastify';
import { describeError } from '../ingest/validate.ts';
import { BacklogFullError } from '../ingest/backlog-gauge.ts';
import { ConflictError, StoreUnavailableError } from '../store/errors.ts';
import { WarehouseError } from '../warehouse/warehouse.ts';

/** Seconds a client should wait before retrying a 503: about one loader back-off step. */
const RETRY_AFTER_S = 2;

/** An error with a stable code and the HTTP status it answers with. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The record itself, or a 404 naming the `id` path parameter. */
export function foundOr404<T>(record: T | undefined | false, what: 'user' | 'task', id: string): T {
  if (record === undefined || record === false) {
    throw new ApiError(404, 'not_found', `${what} ${id} does not exist`, 'id');
  }
  return record;
}

/** Turns every failure into `{error, message, field?}`; 5xx details go to the log, not the client. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      const { field, message } = describeError(
        error.validation[0] as never,
        error.validationContext === 'body' ? '' : error.validationContext,
      );
      return reply.code(400).send({ error: 'validation', message, field });
    }
    if (error instanceof ApiError) {
      return reply.code(error.statusCode).send({ error: error.code, message: error.message, field: error.field });
    }
    if (error instanceof ConflictError) {
      return reply.code(409).send({ error: 'conflict', message: error.message, field: error.field });
    }
    if (error instanceof BacklogFullError) {
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_S))
        .send({ error: 'backlog_full', message: error.message });
    }
    if (error instanceof StoreUnavailableError) {
      request.log.error({ err: error }, 'store unavailable');
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_S))
        .send({ error: 'store_unavailable', message: 'storage cannot accept writes now; nothing was written' });
    }
    if (error instanceof WarehouseError) {
      request.log.warn({ err: error }, 'warehouse unavailable');
      return reply
        .code(503)
        .header('retry-after', String(RETRY_AFTER_S))
        .send({ error: 'warehouse_unavailable', message: error.message });
    }
    const status = error.statusCode ?? 500;
    if (status < 500) {
      return reply.code(status).send({ error: clientErrorCode(error), message: error.message });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({ error: 'internal', message: 'internal error; it has been logged' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` }),
  );
}

function clientErrorCode(error: FastifyError): string {
  // @fastify/rate-limit's error carries no code; it has set Retry-After on the reply already.
  if (error.statusCode === 429) return 'rate_limited';
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'malformed_json';
    default:
      return 'bad_request';
  }
}
