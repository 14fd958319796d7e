import { describe, expect, it } from 'vitest';
import { isUnavailable } from '../../src/store/postgres/postgres-errors.ts';

describe('PostgreSQL errors that mean "cannot write now" (503 + Retry-After)', () => {
  it('knows node-postgres messages for a server that went away, and nothing else', () => {
    for (const message of [
      'Connection terminated unexpectedly',
      // A pooled connection whose server died between two of its queries (seen in the 2 × 2 fault test).
      'Client has encountered a connection error and is not queryable',
      'timeout exceeded when trying to connect',
    ]) {
      expect(isUnavailable(new Error(message)), message).toBe(true);
    }
    expect(isUnavailable(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(true);
    expect(isUnavailable(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(isUnavailable(new Error('syntax error at or near "SELEC"'))).toBe(false);
  });
});
