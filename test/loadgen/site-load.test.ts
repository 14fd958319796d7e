import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { exactlyOnce, runCli, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

const ENV = { STEPLOG_FLUSH_INTERVAL: '200ms', STEPLOG_BATCH_SIZE: '300' };
const dataDir = tempDataDir();
const work = tempDataDir('steplog-site-load-');
let server: ServerProcess;

beforeAll(async () => {
  server = await startServer(ENV, dataDir);
});
afterAll(async () => {
  await server.stop();
});

const files = (name: string) => ({
  manifest: path.join(work, `${name}.json`),
  report: path.join(work, `${name}-report.json`),
});
const load = (name: string, ...args: string[]) =>
  runCli(
    [
      'load',
      '--family',
      'site',
      '--url',
      server.url,
      '--manifest',
      files(name).manifest,
      '--json',
      files(name).report,
      ...args,
    ],
    { STEPLOG_API_KEY: server.keys.admin },
  );
const report = (name: string) => JSON.parse(fs.readFileSync(files(name).report, 'utf8'));
const small = ['--events', '1500', '--users', '60', '--products', '20', '--days', '4', '--concurrency', '4'];

describe('steplog load --family site', () => {
  it('sends de-demo traffic through /api/site-events/batch and proves every event is in ClickHouse once', async () => {
    const run = await load('api', ...small, '--batch', '100');
    expect(run.stderr).toBe('');
    expect(run.code, run.stdout).toBe(0);
    expect(report('api')).toMatchObject({
      ok: true,
      family: 'site',
      sent: 1500,
      rejected: 0,
      delivered: 1500,
      ...exactlyOnce(1500),
    });
    expect(run.stdout).toContain('DELIVERED EXACTLY ONCE');
  });

  it('does the same through the seed’s POST /events/, which takes no event_id', async () => {
    const run = await load('compat', ...small, '--events', '500', '--route', 'compat', '--seed', '5');
    expect(run.code, run.stdout).toBe(0);
    expect(report('compat')).toMatchObject({ ok: true, sent: 500, delivered: 500, ...exactlyOnce(500) });
  });

  it('--verify-only finds a lost, a doubled and a changed event, and the days whose counts differ, and exits non-zero', async () => {
    const sent = JSON.parse(fs.readFileSync(files('compat').manifest, 'utf8'));
    type Packed = [string, number, number, string];
    const accepted = sent.accepted as Packed[];
    const cell = ([, time, , name]: Packed) => `${new Date(time).toISOString().slice(0, 10)} ${name}`;
    const [lost, changed] = accepted;
    // From another day × name than the lost one, so the two cannot cancel out in the daily counts.
    const doubled = accepted.slice(2).find((e) => cell(e) !== cell(lost!))!;
    await server.stop();
    const warehouse = ChdbWarehouse.open(path.join(dataDir, 'clickhouse'));
    const at = ([, time, userId]: Packed) => `user_id = ${userId} AND time_ms = ${time}`;
    await warehouse.exec(`DELETE FROM ${WAREHOUSE_DB}.site_events WHERE ${at(lost!)}`);
    // The seed's route would store a repeated request as a second event: a new event_id, the same content.
    await warehouse.exec(
      `INSERT INTO ${WAREHOUSE_DB}.site_events SELECT generateUUIDv4(), time, time_ms, name, user_id, url, obj, obj_id, ` +
        `product_id, amount, exp_keys, exp_values, received_at FROM ${WAREHOUSE_DB}.site_events WHERE ${at(doubled)}`,
    );
    await warehouse.exec(
      `ALTER TABLE ${WAREHOUSE_DB}.site_events UPDATE url = 'https://elsewhere.example/' WHERE ${at(changed!)} ` +
        `SETTINGS mutations_sync = 1`,
    );
    await warehouse.close();
    server = await startServer(ENV, dataDir);

    const run = await runCli(
      [
        'load',
        '--verify-only',
        '--manifest',
        files('compat').manifest,
        '--url',
        server.url,
        '--json',
        files('compat').report,
      ],
      { STEPLOG_API_KEY: server.keys.admin },
    );
    expect(run.code, run.stdout).toBe(2);
    const r = report('compat');
    expect(r).toMatchObject({ ok: false, missing: 1, duplicated: 1, unexpected: 0 });
    expect(r.missingIds[0]).toContain(lost![0]);
    expect(r.duplicatedIds[0]).toContain(doubled[0]);
    expect(r.attributeMismatches).toEqual([
      expect.stringMatching(/url is "https:\/\/elsewhere\.example\/", sent "https:\/\/shop\.example\//),
    ]);
    expect(r.dayActionMismatches).toHaveLength(2);
    expect(r.dayActionMismatches.join('\n')).toContain(`${cell(lost!)}: sent`);
    expect(r.dayActionMismatches.join('\n')).toContain(`${cell(doubled)}: sent`);
  });
});
