import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError } from '../errors/app-error.ts';
import { describeError } from '../ingest/validate.ts';

/** Seconds a client should wait before retrying a 503: about one loader back-off step. */
const RETRY_AFTER_S = 2;

/** An error raised by a route itself, with the code and status it answers with. */
export class HttpError extends AppError {
  constructor(
    readonly httpStatus: number,
    readonly code: string,
    message: string,
    field?: string,
  ) {
    super(message, { field });
  }
}

/** The record itself, or a 404 naming the `id` path parameter. */
export function foundOr404<T>(record: T | undefined | false, what: 'user' | 'task', id: string): T {
  if (record === undefined || record === false) {
    throw new HttpError(404, 'not_found', `${what} ${id} does not exist`, 'id');
  }
  return record;
}

/** Turns every failure into `{error, message, field?}`; 5xx details go to the log, not the client. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      if (error.logLevel !== undefined) request.log[error.logLevel]({ err: error }, error.code.replaceAll('_', ' '));
      if (error.httpStatus === 503) reply.header('retry-after', String(RETRY_AFTER_S));
      return reply.code(error.httpStatus).send({ error: error.code, message: error.clientMessage, field: error.field });
    }
    if (error.validation) {
      const { field, message } = describeError(
        error.validation[0] as never,
        error.validationContext === 'body' ? '' : error.validationContext,
      );
      return reply.code(400).send({ error: 'validation', message, field });
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
  return unreadableBodyCode(error) ?? 'bad_request';
}

/** Why Fastify refused a body before any handler read it, when that is the reason. */
export function unreadableBodyCode(
  error: FastifyError,
): 'body_too_large' | 'unsupported_media_type' | 'malformed_json' | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'body_too_large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'unsupported_media_type';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'malformed_json';
    default:
      return undefined;
  }
}
