import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';

describe('loadConfig', () => {
  it('runs embedded with no settings at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      flushIntervalMs: 300_000,
      batchSize: 10_000,
      serverUrl: 'http://127.0.0.1:8000',
      maxBacklog: 1_000_000,
      faultWarehouseDownFile: null,
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it.each([
    ['30s', 30_000],
    ['2s', 2_000],
    ['5m', 300_000],
    ['250ms', 250],
  ])('reads STEPLOG_FLUSH_INTERVAL=%s', (value, ms) => {
    expect(loadConfig({ STEPLOG_FLUSH_INTERVAL: value }).flushIntervalMs).toBe(ms);
  });

  it.each([
    ['STEPLOG_FLUSH_INTERVAL', 'soon'],
    ['STEPLOG_FLUSH_INTERVAL', '0s'],
    ['STEPLOG_PORT', '70000'],
    ['STEPLOG_PORT', 'eighty'],
    ['STEPLOG_BATCH_SIZE', '0'],
    ['STEPLOG_BATCH_SIZE', '1.5'],
    ['STEPLOG_LOG_LEVEL', 'loud'],
    ['STEPLOG_URL', 'not a url'],
    ['STEPLOG_MAX_BACKLOG', '0'],
    ['STEPLOG_MAX_BACKLOG', 'lots'],
    ['STEPLOG_RETENTION', '400'],
    ['STEPLOG_RETENTION', '0d'],
    ['STEPLOG_RETENTION', '13m'],
    ['STEPLOG_LOG_FORMAT', 'xml'],
  ])('stops on %s=%s with a message naming the setting', (setting, value) => {
    expect(() => loadConfig({ [setting]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [setting]: value })).toThrow(new RegExp(`^${setting}: `));
  });

  it('reads the backlog bound and resolves the test-only fault file', () => {
    const config = loadConfig({ STEPLOG_MAX_BACKLOG: '500', STEPLOG_FAULT_WAREHOUSE_DOWN_FILE: 'down' });
    expect(config.maxBacklog).toBe(500);
    expect(config.faultWarehouseDownFile).toBe(`${process.cwd()}/down`);
  });

  it('reads the retention in days (unset keeps everything) and the log format', () => {
    expect(loadConfig({}).retentionMs).toBeNull();
    expect(loadConfig({ STEPLOG_RETENTION: '400d' }).retentionMs).toBe(400 * 86_400_000);
    expect(loadConfig({}).logFormat).toBe('json');
    expect(loadConfig({ STEPLOG_LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
  });

  it('refuses to start the server on a bad setting, naming it', async () => {
    const { runCli } = await import('../helpers/server.ts');
    const result = await runCli(['serve'], { STEPLOG_FLUSH_INTERVAL: 'often' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('STEPLOG_FLUSH_INTERVAL');
  });
});
