/** PostgreSQL's SQLSTATE for a unique-key violation. */
const UNIQUE_VIOLATION = '23505';

/**
 * SQLSTATE classes and codes of a server that cannot write now: connection exceptions (08),
 * insufficient resources such as a full disk (53), shutdown or start-up in progress (57P),
 * system I/O errors (58), a read-only transaction or standby (25006).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53|57P|58|25006)/;
/** Socket errors of a server that is down or restarting. */
const UNAVAILABLE_SOCKET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

const codeOf = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string'
    ? (error as { code: string }).code
    : undefined;

export function isUniqueViolation(error: unknown): boolean {
  return codeOf(error) === UNIQUE_VIOLATION;
}

export function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined) return UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_SOCKET.has(code);
  // node-postgres reports a connection lost mid-query, a pooled connection that lost its server
  // between two queries, or a pool that cannot connect in time, by message only.
  return (
    error instanceof Error &&
    /Connection terminated|not queryable|timeout exceeded when trying to connect/.test(error.message)
  );
}
