export const DAY_MS = 86_400_000;

/** Ten years of days: a bound on the size of any per-day answer. */
export const MAX_DAYS = 3660;

/** The UTC day `n` days after `day` (YYYY-MM-DD; n may be negative). */
export const addDays = (day: string, n: number): string =>
  new Date(Date.parse(day) + n * DAY_MS).toISOString().slice(0, 10);

/** Days from `from` to `to` (0 for the same day, negative when `to` comes first). */
export const daySpan = (from: string, to: string): number => (Date.parse(to) - Date.parse(from)) / DAY_MS;

/** Every UTC day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from); t <= Date.parse(to); t += DAY_MS) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Days `from` … `to` (YYYY-MM-DD, UTC), both included: the range every mart is asked for. */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

/** Warehouse counts arrive as numbers or, for 64-bit ones, as strings. */
export type Count = string | number;

/** a / b, or null when b is 0. */
export const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);
