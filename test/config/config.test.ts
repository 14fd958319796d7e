import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, roleRefusal } from '../../src/config/config.ts';

describe('loadConfig', () => {
  it('runs embedded with no settings at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8000,
      flushIntervalMs: 300_000,
      batchSize: 10_000,
      serverUrl: 'http://127.0.0.1:8000',
      serverUrlGiven: false,
      maxBacklog: 1_000_000,
      databaseUrl: null,
      amqpUrl: null,
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
    ['STEPLOG_DEDUP_WINDOW', '0d'],
    ['STEPLOG_DEDUP_WINDOW', '12h'],
    ['STEPLOG_LOG_FORMAT', 'xml'],
    ['STEPLOG_DATABASE_URL', 'mysql://db/steplog'],
    ['STEPLOG_AMQP_URL', 'http://rabbit'],
    ['STEPLOG_CLICKHOUSE_URL', 'clickhouse-1:8123'],
    ['STEPLOG_CLICKHOUSE_URL', 'http://a:8123/,ftp://b/'],
    ['STEPLOG_CLICKHOUSE_CLUSTER', 'steplog; DROP TABLE x'],
  ])('stops on %s=%s with a message naming the setting', (setting, value) => {
    expect(() => loadConfig({ [setting]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [setting]: value })).toThrow(new RegExp(`^${setting}: `));
  });

  it('reads the backlog bound', () => {
    expect(loadConfig({ STEPLOG_MAX_BACKLOG: '500' }).maxBacklog).toBe(500);
  });

  it('selects the warehouse: chDB unless STEPLOG_CLICKHOUSE_URL lists ClickHouse servers', () => {
    expect(loadConfig({}).clickhouseUrls).toBeNull();
    expect(
      loadConfig({ STEPLOG_CLICKHOUSE_URL: 'http://steplog:pw@ch-1:8123/, http://steplog:pw@ch-2:8123/' })
        .clickhouseUrls,
    ).toEqual(['http://steplog:pw@ch-1:8123/', 'http://steplog:pw@ch-2:8123/']);
  });

  it('takes a cluster name only with the servers it names', () => {
    const url = 'http://ch-1:8123/,http://ch-2:8123/';
    expect(loadConfig({ STEPLOG_CLICKHOUSE_URL: url }).clickhouseCluster).toBeNull();
    expect(
      loadConfig({ STEPLOG_CLICKHOUSE_URL: url, STEPLOG_CLICKHOUSE_CLUSTER: 'steplog_cluster' }).clickhouseCluster,
    ).toBe('steplog_cluster');
    expect(() => loadConfig({ STEPLOG_CLICKHOUSE_CLUSTER: 'steplog_cluster' })).toThrow(
      /^STEPLOG_CLICKHOUSE_CLUSTER: needs STEPLOG_CLICKHOUSE_URL/,
    );
  });

  it('marks a STEPLOG_URL as given: the CLI then goes through that server', () => {
    expect(loadConfig({ STEPLOG_URL: 'http://10.0.0.5:8000/' })).toMatchObject({
      serverUrl: 'http://10.0.0.5:8000/',
      serverUrlGiven: true,
    });
  });

  it('selects PostgreSQL and RabbitMQ by URL', () => {
    const config = loadConfig({
      STEPLOG_DATABASE_URL: 'postgres://steplog@db:5432/steplog',
      STEPLOG_AMQP_URL: 'amqp://guest:guest@mq:5672',
    });
    expect(config).toMatchObject({
      databaseUrl: 'postgres://steplog@db:5432/steplog',
      amqpUrl: 'amqp://guest:guest@mq:5672',
    });
  });

  it('starts split roles only with a shared ClickHouse server', () => {
    expect(roleRefusal('all', loadConfig({}))).toBeNull();
    expect(roleRefusal('api', loadConfig({}))).toMatch(/^--role api needs STEPLOG_CLICKHOUSE_URL/);
    expect(roleRefusal('loader', loadConfig({}))).toMatch(/^--role loader needs STEPLOG_CLICKHOUSE_URL/);
    expect(roleRefusal('loader', loadConfig({ STEPLOG_CLICKHOUSE_URL: 'http://127.0.0.1:8123' }))).toBeNull();
  });

  it('steplog serve --role api without a ClickHouse server stops with a message saying so', async () => {
    const { runCli, tempDataDir } = await import('../helpers/server.ts');
    const result = await runCli(['serve', '--role', 'api'], { STEPLOG_DATA_DIR: tempDataDir() });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('--role api needs STEPLOG_CLICKHOUSE_URL');
    const unknown = await runCli(['serve', '--role', 'worker'], {});
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/Allowed choices are all, api, loader/);
  });

  it('reads the retention in days (unset keeps everything) and the log format', () => {
    expect(loadConfig({}).retentionMs).toBeNull();
    expect(loadConfig({ STEPLOG_RETENTION: '400d' }).retentionMs).toBe(400 * 86_400_000);
    expect(loadConfig({}).dedupWindowMs).toBe(7 * 86_400_000);
    expect(loadConfig({ STEPLOG_DEDUP_WINDOW: '30d' }).dedupWindowMs).toBe(30 * 86_400_000);
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
