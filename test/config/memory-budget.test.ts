import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import {
  IDLE_BYTES,
  LOAD_BYTES_PER_ROW,
  LOAD_FIXED_BYTES,
  REQUEST_BYTES_PER_BODY_BYTE,
} from '../../src/config/memory-budget.ts';

const GiB = 1024 ** 3;

describe('STEPLOG_MEMORY_LIMIT', () => {
  it('holds the defaults (2 GiB)', () => {
    expect(loadConfig({}).memoryLimitBytes).toBe(2 * GiB);
  });

  it.each([
    [{ STEPLOG_BATCH_SIZE: '1000000' }, /STEPLOG_BATCH_SIZE=1000000/],
    [{ STEPLOG_BODY_LIMIT: String(GiB) }, /STEPLOG_BODY_LIMIT=1073741824/],
    [{ STEPLOG_SQL_MAX_MEMORY: String(4 * GiB) }, /STEPLOG_SQL_MAX_MEMORY/],
    [{ STEPLOG_MEMORY_LIMIT: String(GiB) }, /= 1,7\d\d MiB/],
  ])('refuses to start when the settings %o allow more than the limit', (env, names) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/^STEPLOG_MEMORY_LIMIT: /);
    expect(() => loadConfig(env)).toThrow(names);
  });

  it('does not count console queries a ClickHouse server runs', () => {
    const env = { STEPLOG_MEMORY_LIMIT: String(GiB) };
    expect(loadConfig({ ...env, STEPLOG_CLICKHOUSE_URL: 'http://ch:8123/' }).memoryLimitBytes).toBe(GiB);
  });

  it('accepts exactly the settings whose documented needs fit the limit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1 << 30 }),
        fc.integer({ min: 1, max: 8 * GiB }),
        fc.boolean(),
        fc.integer({ min: 1, max: 16 * GiB }),
        (batch, body, console, server, limit) => {
          const env = {
            STEPLOG_BATCH_SIZE: String(batch),
            STEPLOG_BODY_LIMIT: String(body),
            STEPLOG_SQL_MAX_MEMORY: String(console),
            STEPLOG_MEMORY_LIMIT: String(limit),
            ...(server ? { STEPLOG_CLICKHOUSE_URL: 'http://ch:8123/' } : {}),
          };
          const need =
            IDLE_BYTES +
            LOAD_FIXED_BYTES +
            batch * LOAD_BYTES_PER_ROW +
            body * REQUEST_BYTES_PER_BODY_BYTE +
            (server ? 0 : console);
          if (need <= limit) expect(loadConfig(env).memoryLimitBytes).toBe(limit);
          else expect(() => loadConfig(env)).toThrow(/^STEPLOG_MEMORY_LIMIT: /);
        },
      ),
      { numRuns: 500 },
    );
  });
});
