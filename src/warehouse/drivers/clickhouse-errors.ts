import { WarehouseError, WarehouseRejectedError, WarehouseSchemaMissingError } from '../warehouse.ts';

/**
 * ClickHouse error codes that mean "these rows cannot be stored", whichever engine answers: the
 * input does not parse into the table's types, so retrying the same rows fails the same way, and
 * the block failed before anything was written. Anything else (the server down, a timeout,
 * memory, too many parts, a missing table) may pass on retry and is never dead-lettered.
 *
 * A materialized view that throws on a row (throwIf, a bad cast in its SELECT) is deliberately not
 * here: ClickHouse has then already written the block to steplog.events and possibly to other
 * views, so splitting it would double those rows. Such a failure keeps the batch in the backlog,
 * retried with back-off, until the view is fixed — exactly once holds.
 */
const DATA_REJECTED = new Set([
  6, // CANNOT_PARSE_TEXT
  25, // CANNOT_PARSE_ESCAPE_SEQUENCE
  26, // CANNOT_PARSE_QUOTED_STRING
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  38, // CANNOT_PARSE_DATE
  41, // CANNOT_PARSE_DATETIME
  53, // TYPE_MISMATCH
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  117, // INCORRECT_DATA
  131, // TOO_LARGE_STRING_SIZE
  321, // VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE
  376, // CANNOT_PARSE_UUID
  407, // DECIMAL_OVERFLOW
]);

/** UNKNOWN_TABLE, UNKNOWN_DATABASE. */
const SCHEMA_MISSING = new Set([60, 81]);

/** The `Code: N` a ClickHouse error message starts with, if any. */
function clickhouseErrorCode(message: string): number | undefined {
  const match = /Code:\s*(\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/** A failure of any ClickHouse engine as the warehouse error the layers above act on. */
export function toWarehouseError(error: unknown): WarehouseError {
  if (error instanceof WarehouseError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = clickhouseErrorCode(message);
  if (code !== undefined && DATA_REJECTED.has(code)) return new WarehouseRejectedError(message, { cause: error });
  if (code !== undefined && SCHEMA_MISSING.has(code)) return new WarehouseSchemaMissingError(message, { cause: error });
  return new WarehouseError(message, { cause: error });
}
