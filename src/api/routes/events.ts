import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { BatchInput, BatchItemResult, ErrorBody, EventAccepted, EventInput } from '../../events/schemas.ts';
import { HttpError } from '../../http/errors.ts';
import type { RouteOptions } from '../../http/deps.ts';

const BUSY =
  'The backlog is past STEPLOG_MAX_BACKLOG or storage cannot write: nothing was written; retry after Retry-After seconds.';
const STATUS_OF_REJECTION: Record<string, number> = { validation: 400, unknown_reference: 422 };

export const eventRoutes: FastifyPluginAsyncTypebox<RouteOptions> = async (app, { ingest, config }) => {
  app.post(
    '/api/events',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['events'],
        summary: 'Record one event',
        description:
          '202 means the event is committed to disk. Repeating an event_id answers as the first time did and adds nothing.',
        body: EventInput,
        response: {
          202: EventAccepted,
          400: ErrorBody,
          413: ErrorBody,
          415: ErrorBody,
          422: ErrorBody,
          503: { ...ErrorBody, description: BUSY },
        },
      },
    },
    async (request, reply) => {
      // The body schema has validated the event: ingest normalizes and commits it without a second check.
      const [result] = await ingest.ingestValidated([request.body]);
      if (result!.status === 'rejected') {
        const { error, message, field } = result!.error;
        throw new HttpError(STATUS_OF_REJECTION[error] ?? 400, error, message, field);
      }
      const { id, event_id, duplicate } = result!;
      return reply.code(202).send({ id, event_id, duplicate });
    },
  );

  app.post(
    '/api/events/batch',
    {
      config: { scope: 'ingest' },
      schema: {
        tags: ['events'],
        summary: `Record up to ${config.maxEventsPerRequest} events`,
        description:
          'Each event is validated on its own: the answer lists, per index, the stored id or the error. ' +
          'Accepted events are committed in one transaction before the 202.',
        body: BatchInput(config.maxEventsPerRequest),
        response: {
          202: Type.Object({
            accepted: Type.Integer(),
            rejected: Type.Integer(),
            results: Type.Array(BatchItemResult),
          }),
          400: ErrorBody,
          413: ErrorBody,
          503: { ...ErrorBody, description: BUSY },
        },
      },
    },
    async (request, reply) => {
      const results = await ingest.ingest(request.body.events);
      const accepted = results.filter((r) => r.status === 'accepted').length;
      return reply.code(202).send({
        accepted,
        rejected: results.length - accepted,
        results: results.map((result, index) => ({ index, ...result })),
      });
    },
  );
};
