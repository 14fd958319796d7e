import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { localCopy, onCluster } from '../../src/warehouse/cluster-ddl.ts';
import { splitStatements } from '../../src/warehouse/migrator.ts';

const DIR = fileURLToPath(new URL('../../src/warehouse/migrations/', import.meta.url));
const statements = fs
  .readdirSync(DIR)
  .filter((file) => file.endsWith('.sql'))
  .flatMap((file) => splitStatements(fs.readFileSync(DIR + file, 'utf8')));

describe('DDL on a cluster', () => {
  it('runs every CREATE, DROP and ALTER of the migrations ON CLUSTER, and nothing else', () => {
    for (const statement of statements) {
      const ddl = /^(CREATE|DROP|ALTER)\b/.test(statement);
      const rewritten = onCluster(statement, 'prod');
      expect(/ ON CLUSTER prod(\s|$)/.test(rewritten), statement).toBe(ddl);
      if (!ddl) expect(rewritten).toBe(statement);
    }
  });

  it('puts every table of the migrations on a replicated engine at its own ZooKeeper path', () => {
    const tables = statements.filter((s) => s.startsWith('CREATE TABLE'));
    expect(tables.length).toBeGreaterThanOrEqual(10);
    for (const statement of tables) {
      const table = /steplog\.(\w+)/.exec(statement)![1]!;
      expect(onCluster(statement, 'prod'), statement).toMatch(
        new RegExp(
          `ENGINE = Replicated\\w*MergeTree\\('/clickhouse/tables/\\{shard\\}/steplog/${table}', '\\{replica\\}'`,
        ),
      );
    }
  });

  it('keeps an engine’s own arguments after the replication ones', () => {
    expect(
      onCluster(
        'CREATE TABLE IF NOT EXISTS steplog.d (k UInt8, n UInt64) ENGINE = SummingMergeTree(n) ORDER BY k',
        'c',
      ),
    ).toBe(
      'CREATE TABLE IF NOT EXISTS steplog.d ON CLUSTER c (k UInt8, n UInt64) ' +
        "ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/steplog/d', '{replica}', n) ORDER BY k",
    );
    expect(onCluster('CREATE TABLE steplog.lock (h String) ENGINE = Log', 'c')).toBe(
      'CREATE TABLE steplog.lock ON CLUSTER c (h String) ENGINE = Log',
    );
    expect(onCluster('CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.v_mv TO steplog.v AS SELECT 1', 'c')).toBe(
      'CREATE MATERIALIZED VIEW IF NOT EXISTS steplog.v_mv ON CLUSTER c TO steplog.v AS SELECT 1',
    );
    expect(() => onCluster('DROP TABLE steplog.x', 'c; DROP DATABASE steplog')).toThrow('not a cluster name');
  });

  it('copies a replicated table as a local one: same columns, key and partitions, renamed', () => {
    for (const statement of statements.filter((s) => s.startsWith('CREATE TABLE'))) {
      const name = /steplog\.\w+/.exec(statement)![0];
      const local = localCopy(onCluster(statement, 'prod'), 'steplog.staging');
      expect(local).not.toMatch(/Replicated|\/clickhouse\//);
      expect(local.replace(' ON CLUSTER prod', '')).toBe(
        statement.replace(`IF NOT EXISTS ${name}`, name).replace(name, 'steplog.staging'),
      );
    }
  });

  it('copies what SHOW CREATE TABLE answers on a server', () => {
    const shown =
      'CREATE TABLE steplog.activity_daily ( day Date,  n UInt64) ENGINE = ' +
      "ReplicatedAggregatingMergeTree('/clickhouse/tables/{shard}/steplog/activity_daily', '{replica}') " +
      'PARTITION BY toYYYYMM(day) ORDER BY day SETTINGS index_granularity = 8192';
    expect(localCopy(shown, 'steplog.activity_daily_rebuild')).toBe(
      'CREATE TABLE steplog.activity_daily_rebuild ( day Date,  n UInt64) ENGINE = AggregatingMergeTree() ' +
        'PARTITION BY toYYYYMM(day) ORDER BY day SETTINGS index_granularity = 8192',
    );
  });
});
