import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkReadiness, type ReadinessSources } from '../../src/ops/readiness.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import { WarehouseMigrator } from '../../src/warehouse/migrator.ts';
import { openAdapters } from '../helpers/fixtures.ts';
import { tempDataDir } from '../helpers/server.ts';

const { store, warehouse } = await openAdapters();
afterAll(async () => {
  await warehouse.close();
});

const sourcesOf = (migrator: WarehouseMigrator, target = store): ReadinessSources => ({
  migrating: () => migrator.running,
  recentJobs: (limit) => target.importJobs.list(limit),
  pingWarehouse: () => warehouse.query('SELECT 1 AS ok'),
  backlog: () => new OutboxTransport(target).backlog(),
});

describe('checkReadiness', () => {
  it('is ready when the store and warehouse answer and nothing waits', async () => {
    expect(await checkReadiness(sourcesOf(new WarehouseMigrator(warehouse)), { flushIntervalMs: 1000 })).toEqual({
      ready: true,
      reasons: [],
    });
  });

  it('is not ready while migrations run, and ready again once they are applied', async () => {
    // A pending migration of its own (chDB allows one data dir per process, so not a fresh warehouse).
    const dir = tempDataDir('steplog-ready-');
    fs.writeFileSync(
      path.join(dir, '9999_ready_probe.sql'),
      'CREATE TABLE IF NOT EXISTS steplog.ready_probe (x UInt8) ENGINE = MergeTree ORDER BY x;\n',
    );
    const migrator = new WarehouseMigrator(warehouse, { dir: `${dir}/` });
    const applying = migrator.up();
    const during = await checkReadiness(sourcesOf(migrator), { flushIntervalMs: 1000 });
    expect(during.reasons).toEqual(['warehouse migrations are running']);
    expect((await applying).map((m) => m.version)).toEqual([9999]);
    expect(await checkReadiness(sourcesOf(migrator), { flushIntervalMs: 1000 })).toEqual({ ready: true, reasons: [] });
  });

  it('names the store when it cannot be reached', async () => {
    await store.close();
    const answer = await checkReadiness(sourcesOf(new WarehouseMigrator(warehouse)), { flushIntervalMs: 1000 });
    expect(answer.ready).toBe(false);
    expect(answer.reasons.some((r) => r.startsWith('the store cannot be reached'))).toBe(true);
    expect(answer.reasons.some((r) => r.startsWith('the backlog cannot be read'))).toBe(true);
  });
});
