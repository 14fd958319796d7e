import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError } from 'fastify';
import { Type } from 'typebox';
import { ErrorBody } from '../../events/schemas.ts';
import { SeedSiteEventInput } from '../../events/site-schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { fastApiValidator, type FastApiErrorItem } from '../seed/fastapi-errors.ts';

const FastApiError = Type.Object({
  detail: Type.Array(
    Type.Object({
      loc: Type.Array(Type.Union([Type.String(), Type.Integer()])),
      msg: Type.String(),
      type: Type.String(),
    }),
  ),
});
const validateSeedEvent = fastApiValidator(SeedSiteEventInput);
const KNOWN_FIELDS = Object.keys(SeedSiteEventInput.properties);

const unprocessable = (detail: FastApiErrorItem[]) => ({ detail });

/**
 * The de-demo seed's `POST /events/`, answering as its FastAPI service does (200 `null`, 422
 * `{"detail": [...]}`, unknown fields ignored), on top of steplog's site-event ingest: same
 * validation bounds, same store, outbox and loader. Each request is a new event (the seed sends no
 * event_id). The key goes in the Authorization header, as on every steplog route.
 */
export const seedEventRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'siteIngest'>> = async (
  app,
  { siteIngest },
) => {
  const steplogErrors = app.errorHandler;
  app.post(
    '/events/',
    {
      config: { scope: 'ingest' },
      attachValidation: true,
      // A body that is not JSON is a 422 in FastAPI too; every other failure answers as elsewhere.
      errorHandler(error: FastifyError, request, reply) {
        if (error.code !== 'FST_ERR_CTP_INVALID_JSON_BODY' && error.code !== 'FST_ERR_CTP_EMPTY_JSON_BODY') {
          return void steplogErrors.call(this, error, request, reply);
        }
        void reply.code(422).send(unprocessable([{ loc: ['body'], msg: 'JSON decode error', type: 'json_invalid' }]));
      },
      schema: {
        tags: ['site events'],
        summary: 'Record one site event, as the de-demo seed does (drop-in for its clients)',
        description:
          "The de-demo seed's route: 200 with body null once the event is committed to disk; 422 with FastAPI's " +
          '{"detail": [{"loc", "msg", "type"}]} when the body is invalid; unknown fields are ignored.',
        body: SeedSiteEventInput,
        response: { 200: Type.Null(), 401: ErrorBody, 403: ErrorBody, 422: FastApiError, 503: ErrorBody },
      },
    },
    async (request, reply) => {
      const detail = validateSeedEvent(request.body);
      if (detail) return reply.code(422).send(unprocessable(detail));
      const body = request.body as Record<string, unknown>;
      const known = Object.fromEntries(KNOWN_FIELDS.filter((f) => f in body).map((f) => [f, body[f]]));
      const [result] = await siteIngest.ingest([known]);
      if (result!.status === 'rejected') {
        const { field, message } = result!.error;
        return reply.code(422).send(unprocessable([{ loc: ['body', field], msg: message, type: 'value_error' }]));
      }
      return reply.code(200).send(null);
    },
  );
};
