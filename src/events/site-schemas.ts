import { Type, type Static } from 'typebox';
import { UUID_PATTERN, WELL_FORMED } from './schemas.ts';

/**
 * Site event bodies. The fields are the de-demo seed's (`dt, name, user_id, url, obj, obj_id,
 * product_id, amount, exp`); steplog's own route adds `event_id` and refuses unknown fields, the
 * seed-compatible `POST /events/` ignores them as FastAPI does.
 */
const Text = (maxLength: number, description: string, minLength = 0) =>
  Type.String({ minLength, maxLength, pattern: WELL_FORMED, description });

/** RFC 3339 date-time with the offset optional (the `date-time` format insists on one). */
export const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}(:?\\d{2})?)?$';

/** An absolute http(s) URL with a host and no whitespace. */
export const HTTP_URL = '^[hH][tT][tT][pP][sS]?://[^\\s/?#]+[^\\s]*$';

/** Integers a JSON number carries exactly: the seed's UInt64 ids, bounded to 2^53 - 1. */
export const MAX_SITE_ID = Number.MAX_SAFE_INTEGER;
export const MAX_EXPERIMENTS = 32;

const siteFields = {
  dt: Type.String({
    maxLength: 64,
    pattern: DATE_TIME,
    description:
      'When it happened: RFC 3339 (no offset means UTC, as in the seed), from 1970-01-01T00:00:00Z to 2106-02-07T06:28:15Z',
  }),
  name: Text(100, 'What happened: view, click, purchase…', 1),
  user_id: Type.Integer({ minimum: 0, maximum: MAX_SITE_ID, description: 'Anonymous visitor id (0 … 2^53 - 1)' }),
  url: Type.String({
    maxLength: 2048,
    pattern: HTTP_URL,
    description: 'An http(s) URL',
  }),
  obj: Text(100, 'What it happened to: page, button, url, recommendation…', 1),
  obj_id: Type.Optional(Text(200, 'Which one (default "")')),
  product_id: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SITE_ID, description: '0: no product (default)' })),
  amount: Type.Optional(Type.Number({ minimum: 0, maximum: 1e15, description: 'Amount ≥ 0 (default 0)' })),
  exp: Type.Optional(
    Type.Union(
      [
        Type.Record(Type.String({ minLength: 1, maxLength: 100, pattern: WELL_FORMED }), Text(100, 'Variant'), {
          maxProperties: MAX_EXPERIMENTS,
        }),
        Type.Null(),
      ],
      { description: `Experiment → variant shown (at most ${MAX_EXPERIMENTS}); null or absent: none` },
    ),
  ),
};

export const SiteEventInput = Type.Object(
  {
    event_id: Type.Optional(
      Type.String({
        format: 'uuid',
        pattern: UUID_PATTERN,
        description: 'Client UUID for idempotency (stored lower-case); generated (UUIDv7) when absent',
      }),
    ),
    ...siteFields,
  },
  { additionalProperties: false, $id: 'SiteEventInput' },
);
export type SiteEventInput = Static<typeof SiteEventInput>;

/** The seed's body: unknown fields are ignored, no event_id (each request is a new event). */
export const SeedSiteEventInput = Type.Object(siteFields, { $id: 'SeedSiteEventInput' });
