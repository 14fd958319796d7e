import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { runCli, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

const ENV = { STEPLOG_FLUSH_INTERVAL: '200ms', STEPLOG_BATCH_SIZE: '200' };
const dataDir = tempDataDir();
const work = tempDataDir('steplog-load-');
const manifest = path.join(work, 'manifest.json');
const reportFile = path.join(work, 'report.json');
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer(ENV, dataDir);
});
afterAll(async () => {
  await server.stop();
});

const load = (...args: string[]) =>
  runCli(['load', '--url', server.url, '--manifest', manifest, '--json', reportFile, ...args], {
    STEPLOG_API_KEY: server.keys.admin,
  });
const report = () => JSON.parse(fs.readFileSync(reportFile, 'utf8'));

describe('steplog load', () => {
  it('sends a realistic population through the API and proves every event is in ClickHouse once', async () => {
    const run = await load(
      '--events',
      '2000',
      '--users',
      '80',
      '--tasks',
      '15',
      '--days',
      '5',
      '--batch',
      '50',
      '--concurrency',
      '4',
    );
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(report()).toMatchObject({
      ok: true,
      sent: 2000,
      accepted: 2000,
      rejected: 0,
      delivered: 2000,
      missing: 0,
      duplicated: 0,
      unexpected: 0,
      dayActionMismatches: [],
      attributeMismatches: [],
    });
    expect(report().visibility.sampled).toBeGreaterThan(0);
    expect(run.stdout).toContain('DELIVERED EXACTLY ONCE');

    const sent = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    const guests = sent.context.filter((u: { registrationDate: number | null }) => u.registrationDate === null);
    expect(guests.length).toBeGreaterThan(0);
    expect(sent.context.some((u: { name: string }) => /[^ -~]/.test(u.name))).toBe(true);
  });

  it('--verify-only finds a missing and a duplicated event and exits non-zero', async () => {
    const sent = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    const [[lost], [doubled]] = [sent.accepted[0], sent.accepted[1]];
    await server.stop();
    const warehouse = ChdbWarehouse.open(path.join(dataDir, 'clickhouse'));
    await warehouse.exec(`DELETE FROM ${WAREHOUSE_DB}.events WHERE event_id = '${lost}'`);
    await warehouse.exec(
      `INSERT INTO ${WAREHOUSE_DB}.events SELECT * FROM ${WAREHOUSE_DB}.events WHERE event_id = '${doubled}'`,
    );
    await warehouse.close();
    server = await startServer(ENV, dataDir);

    const run = await runCli(
      ['load', '--verify-only', '--manifest', manifest, '--url', server.url, '--json', reportFile],
      { STEPLOG_API_KEY: server.keys.admin },
    );
    expect(run.code, run.stdout).toBe(2);
    expect(report()).toMatchObject({
      ok: false,
      missing: 1,
      duplicated: 1,
      missingIds: [lost],
      duplicatedIds: [doubled],
    });
    expect(report().dayActionMismatches.length).toBeGreaterThan(0);
  });
});
