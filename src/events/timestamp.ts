import { EARLIEST_TIME_MS, LATEST_TIME_MS } from './limits.ts';

/** The date-time forms JSON schema's `date-time` format lets through (RFC 3339, ISO 8601 profile). */
const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-]\d{2}):?(\d{2})?)$/;

export type ParsedTimestamp = { ok: true; ms: number } | { ok: false; message: string };

/**
 * An RFC 3339 timestamp as epoch milliseconds (digits past the millisecond are dropped), within
 * what a ClickHouse DateTime holds. Every form the schema accepts is parsed the same way, whatever
 * the letter case, separator or offset spelling; a leap second (`:60`) is refused, since neither
 * JavaScript nor ClickHouse has one.
 */
export function parseTimestamp(text: string, field: string): ParsedTimestamp {
  const match = RFC3339.exec(text);
  if (!match) return { ok: false, message: `${field} "${text}" is not an RFC 3339 timestamp` };
  const [, date, hoursMinutes, seconds, fraction = '', zulu, offsetHours, offsetMinutes = '00'] = match;
  if (seconds === '60') return { ok: false, message: `${field} "${text}" is a leap second, which cannot be stored` };
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const offset = zulu ? 'Z' : `${offsetHours}:${offsetMinutes}`;
  const ms = Date.parse(`${date}T${hoursMinutes}:${seconds}.${millis}${offset}`);
  if (Number.isNaN(ms)) return { ok: false, message: `${field} "${text}" is not a valid timestamp` };
  if (ms < EARLIEST_TIME_MS) return { ok: false, message: `${field} must not be before 1970-01-01T00:00:00Z` };
  if (ms > LATEST_TIME_MS) return { ok: false, message: `${field} must not be after 2106-02-07T06:28:15Z` };
  return { ok: true, ms };
}

/** A date-time without an offset: the seeds' clients send naive datetimes, which mean UTC. */
const NO_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?$/;

/** `text` with `Z` appended when it names no offset. */
export const assumeUtc = (text: string): string => (NO_OFFSET.test(text) ? `${text}Z` : text);
