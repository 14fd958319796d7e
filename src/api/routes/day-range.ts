import { Type } from 'typebox';
import { daySpan, MAX_DAYS } from '../../analytics/days.ts';
import { HttpError } from '../../http/errors.ts';

/** A UTC day in a query string or body. */
export const Day = Type.String({
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  format: 'date',
  description: 'UTC day, YYYY-MM-DD',
});

/** A whole number from 1 to `max` in a query string (ajv never coerces, so it arrives as text). */
export const Count = (max: number, description: string) =>
  Type.String({ pattern: '^[1-9][0-9]*$', maxLength: String(max).length, description: `${description} (1…${max})` });

/** Rejects a range that ends before it starts or spans more than MAX_DAYS days, naming `field`. */
export function checkRange(from: string, to: string, field = 'to'): void {
  const span = daySpan(from, to);
  if (span < 0) throw new HttpError(400, 'validation', `${field} must not be before from`, field);
  if (span >= MAX_DAYS) throw new HttpError(400, 'validation', `the range must span at most ${MAX_DAYS} days`, field);
}

/** Rejects a count above `max` (its pattern only bounds the digits), naming `field`. */
export function checkCount(value: string, max: number, field: string): number {
  const n = Number(value);
  if (n > max) throw new HttpError(400, 'validation', `${field} must be at most ${max}`, field);
  return n;
}
