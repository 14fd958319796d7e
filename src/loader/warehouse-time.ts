/** ClickHouse DateTime text, UTC, whole seconds: every ClickHouse version parses it. */
export const toDateTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
