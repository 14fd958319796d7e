/** ClickHouse DateTime text, UTC, whole seconds: every ClickHouse version parses it (SQL literals). */
export const toDateTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * A DateTime as the loader sends it: whole epoch seconds (the instant toDateTime writes, floored
 * the same way). JSONEachRow takes a bare number for a DateTime on chDB and on 18.16; it costs
 * neither a Date nor a string per value.
 */
export const toEpochSeconds = (ms: number): number => Math.floor(ms / 1000);

const DAY_SECONDS = 86_400;

/** A function from epoch seconds to their UTC 'YYYY-MM' (or 'YYYY-MM-DD' with `length` 10), formatting each day once. */
export function utcDayPrefix(length: 7 | 10): (seconds: number) => string {
  const byDay = new Map<number, string>();
  return (seconds) => {
    const day = Math.floor(seconds / DAY_SECONDS);
    let text = byDay.get(day);
    if (text === undefined) byDay.set(day, (text = new Date(day * DAY_SECONDS * 1000).toISOString().slice(0, length)));
    return text;
  };
}
