import { Type, type Static } from 'typebox';
import { MAX_UINT32 } from './limits.ts';

/** JSON schemas of the public API: they validate requests and document them in OpenAPI. */

const Id = Type.Integer({ minimum: 1, maximum: MAX_UINT32, description: 'Positive id (fits ClickHouse UInt32)' });
const Timestamp = Type.String({
  format: 'date-time',
  description:
    'RFC 3339 timestamp with a UTC offset, from 1970-01-01T00:00:00Z to 2106-02-07T06:28:15Z; no leap second',
});
/** The canonical 8-4-4-4-12 hex form only (the `uuid` format alone also lets `urn:uuid:` through). */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
/** Well-formed Unicode: no lone surrogate, which neither SQLite nor ClickHouse can store as sent. */
export const WELL_FORMED = '^\\P{Cs}*$';
const Text = (options: { minLength?: number; maxLength: number; description?: string }) =>
  Type.String({ ...options, pattern: WELL_FORMED });

export const EventInput = Type.Object(
  {
    event_id: Type.Optional(
      Type.String({
        format: 'uuid',
        pattern: UUID_PATTERN,
        description:
          'Client UUID (8-4-4-4-12 hex, any case; stored lower-case) for idempotency; generated (UUIDv7) when absent',
      }),
    ),
    time: Type.Optional(Type.String({ ...Timestamp, description: 'When it happened; the receive time when absent' })),
    user_id: Id,
    step_id: Id,
    action_id: Type.Integer({ minimum: 0, maximum: 2, description: '0 view, 1 submit, 2 solve' }),
  },
  { additionalProperties: false, $id: 'EventInput' },
);
export type EventInput = Static<typeof EventInput>;

export const EventAccepted = Type.Object({
  id: Type.Integer({ description: 'Server sequence number' }),
  event_id: Type.String({ format: 'uuid' }),
  duplicate: Type.Boolean({ description: 'True when this event_id was already stored (nothing was added)' }),
});

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'Stable error code' }),
    message: Type.String(),
    field: Type.Optional(Type.String({ description: 'The request field at fault, as a JSON path' })),
  },
  { $id: 'Error' },
);
export type ErrorBody = Static<typeof ErrorBody>;

export const BatchInput = (maxEvents: number) =>
  Type.Object(
    { events: Type.Array(Type.Unknown(), { minItems: 1, maxItems: maxEvents, description: 'Events to store' }) },
    { additionalProperties: false },
  );

export const BatchItemResult = Type.Union([
  Type.Object({ index: Type.Integer(), status: Type.Literal('accepted'), ...EventAccepted.properties }),
  Type.Object({ index: Type.Integer(), status: Type.Literal('rejected'), error: ErrorBody }),
]);

export const UserInput = Type.Object(
  {
    name: Text({ minLength: 1, maxLength: 200 }),
    email: Type.Optional(Type.Union([Type.String({ format: 'email', maxLength: 200 }), Type.Literal('')])),
    join_date: Type.Optional(Timestamp),
    registration_date: Type.Optional(Type.Union([Timestamp, Type.Null()], { description: 'Null or absent: a guest' })),
  },
  {
    additionalProperties: false,
    description: 'The server assigns the id (never reused); a client cannot choose one.',
  },
);
export type UserInput = Static<typeof UserInput>;

export const UserOutput = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  email: Type.String(),
  join_date: Type.String({ format: 'date-time' }),
  registration_date: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  is_guest: Type.Boolean(),
});

export const TaskInput = Type.Object(
  {
    title: Text({ minLength: 1, maxLength: 200 }),
    text: Type.String({ maxLength: 100_000, pattern: WELL_FORMED, default: '' }),
    answer: Type.Optional(
      Text({ maxLength: 1000, description: 'The expected answer; kept private, checked by /check' }),
    ),
  },
  { additionalProperties: false },
);
export type TaskInput = Static<typeof TaskInput>;

export const TaskOutput = Type.Object({ id: Type.Integer(), title: Type.String(), text: Type.String() });

export const IdParams = Type.Object({ id: Type.String({ pattern: '^[1-9][0-9]{0,9}$' }) });
/** A keyset cursor: the last id of the page before (lists by id go up from it, import jobs down). */
export const AfterId = Type.String({ pattern: '^[0-9]{1,10}$', description: 'The last id of the page before' });

export const Page = Type.Object(
  {
    limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,3}$', description: 'At most 1000; default 100' })),
    after: Type.Optional(AfterId),
  },
  { additionalProperties: false },
);
