import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyInstance,
  RawServerDefault,
  FastifyBaseLogger,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
} from 'fastify';
import { Type, type TSchema } from 'typebox';
import { BatchInput, BatchItemResult, ErrorBody, EventAccepted, EventInput } from '../../events/schemas.ts';
import { SiteEventInput } from '../../events/site-schemas.ts';
import type { RouteOptions } from '../../http/deps.ts';
import { HttpError } from '../../http/errors.ts';
import type { IngestResult } from '../../ingest/ingest-service.ts';

const BUSY =
  'The backlog is past STEPLOG_MAX_BACKLOG or storage cannot write: nothing was written; retry after Retry-After seconds.';
const STATUS_OF_REJECTION: Record<string, number> = { validation: 400, unknown_reference: 422, expired: 422 };

type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** A family's IngestService, whichever its input type (the route's body schema checked it). */
interface FamilyIngest {
  ingest(items: readonly unknown[]): Promise<IngestResult[]>;
  ingestValidated(events: readonly unknown[]): Promise<IngestResult[]>;
}

/** One family's ingest routes: `path` for one event, `path/batch` for many. */
function ingestRoutes(
  app: TypedApp,
  family: { path: string; tag: string; what: string; body: TSchema; ingest: FamilyIngest },
  maxEventsPerRequest: number,
): void {
  const { path, tag, what, body, ingest } = family;
  app.post(
    path,
    {
      config: { scope: 'ingest' },
      schema: {
        tags: [tag],
        summary: `Record one ${what}`,
        description:
          '202 means the event is committed to disk. Repeating an event_id answers as the first time did and adds nothing.',
        body,
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
    `${path}/batch`,
    {
      config: { scope: 'ingest' },
      schema: {
        tags: [tag],
        summary: `Record up to ${maxEventsPerRequest} ${what}s`,
        description:
          'Each event is validated on its own: the answer lists, per index, the stored id or the error. ' +
          'Accepted events are committed in one transaction before the 202.',
        body: BatchInput(maxEventsPerRequest),
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
}

export const eventRoutes: FastifyPluginAsyncTypebox<Pick<RouteOptions, 'ingest' | 'siteIngest' | 'config'>> = async (
  app,
  { ingest, siteIngest, config },
) => {
  const max = config.maxEventsPerRequest;
  ingestRoutes(app, { path: '/api/events', tag: 'events', what: 'event', body: EventInput, ingest }, max);
  ingestRoutes(
    app,
    { path: '/api/site-events', tag: 'site events', what: 'site event', body: SiteEventInput, ingest: siteIngest },
    max,
  );
};
