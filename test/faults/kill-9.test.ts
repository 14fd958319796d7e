import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { random } from '../../src/loadgen/random.ts';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { api, freePort, runCli, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';

const KILLS = 12;
/** Past this, no kill has landed between a warehouse insert and its ack: the test proves too little. */
const MAX_KILLS = 40;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const importJobs = async (url: string) =>
  (await api(url, 'GET', '/api/imports?limit=999')).body.jobs as { status: string; reconciled: number }[];

/** Waits (briefly) until a load is running, so the kill lands inside the loader. */
async function untilLoading(url: string): Promise<void> {
  for (const deadline = Date.now() + 2_000; Date.now() < deadline; await sleep(2)) {
    if ((await importJobs(url))[0]?.status === 'running') return;
  }
}

/**
 * Waits (up to 3 s) until this server process has accepted an event: a load run retrying against a
 * server that keeps dying could otherwise miss every short life of it, and the kills test nothing.
 */
async function untilAccepting(url: string, key: string): Promise<void> {
  for (const deadline = Date.now() + 3_000; Date.now() < deadline; await sleep(20)) {
    const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
    if (/^steplog_events_accepted_total(\{[^}]*\})? [1-9]/m.test(await res.text())) return;
  }
}

let server: ServerProcess | undefined;
// A failed assertion must not leave a server owning the data dir.
afterAll(() => server?.stop());

describe('kill -9 of the server at random moments', () => {
  it('loses and duplicates nothing: every acknowledged event is in ClickHouse exactly once', async () => {
    const dataDir = tempDataDir();
    const work = tempDataDir('steplog-kill-');
    // Loads start every 200 ms or at 50 undelivered events, so kills land in ingest, in inserts and between insert and ack.
    const env = { STEPLOG_PORT: String(await freePort()), STEPLOG_FLUSH_INTERVAL: '200ms', STEPLOG_BATCH_SIZE: '50' };
    server = await startServer(env, dataDir);
    const url = server.url;
    const key = server.keys.admin;
    const rnd = random(9);
    const runs: { manifest: string; report: string; done: Promise<unknown> }[] = [];
    let running: Promise<unknown> | undefined;
    const startLoad = () => {
      const manifest = path.join(work, `run-${runs.length}.json`);
      const report = path.join(work, `report-${runs.length}.json`);
      const args = ['load', '--url', url, '--manifest', manifest, '--json', report, '--seed', String(runs.length + 1)];
      const sizes = ['--events', '1000', '--users', '40', '--tasks', '10', '--days', '3'];
      const pace = ['--batch', '10', '--concurrency', '3', '--timeout', '3000', '--trigger-after', '500'];
      const done = runCli([...args, ...sizes, ...pace], { STEPLOG_API_KEY: key });
      runs.push({ manifest, report, done });
      running = done.then(() => (running = undefined));
    };

    // Kills land at random moments; every other one waits for a running load first. Killing goes
    // on until one kill has been seen between an insert and its ack (rows reconciled after a restart).
    let kills = 0;
    let reconciled = 0;
    while (kills < KILLS || reconciled === 0) {
      if (kills === MAX_KILLS) throw new Error(`${kills} kills and none between a warehouse insert and its ack`);
      if (!running) startLoad();
      await untilAccepting(url, key);
      if (kills % 2 === 1) await untilLoading(url);
      await sleep(kills % 2 === 1 ? rnd() * 20 : 100 + rnd() * 900);
      await server.stop('SIGKILL');
      server = await startServer(env, dataDir);
      kills += 1;
      reconciled = (await importJobs(url)).reduce((sum, job) => sum + job.reconciled, 0);
    }
    const results = await Promise.all(runs.map((r) => r.done));
    // Each run's own verification, through the API. A kill can cut an INSERT between steplog.events
    // and its materialized views; the loader's token retry must fill those gaps too.
    const reports = runs.map((run) => JSON.parse(fs.readFileSync(run.report, 'utf8')));
    for (const r of reports) {
      expect(r, JSON.stringify(results)).toMatchObject({ missing: 0, duplicated: 0, unexpected: 0 });
      expect(r.dayActionMismatches).toEqual([]);
      expect(r.attributeMismatches).toEqual([]);
      expect(r.viewGaps).toBe(0);
    }
    const viewGaps = reports.reduce((sum, r) => sum + r.viewGaps, 0);
    const jobs = await importJobs(url);
    const interrupted = jobs.filter((job) => job.status === 'failed').length;
    console.info(
      `${runs.length} load runs, ${kills} kills, ${jobs.length} import jobs (${interrupted} interrupted), ` +
        `${reconciled} in-doubt rows reconciled, ${viewGaps} rows the views missed`,
    );
    await server.stop();

    const acknowledged = runs.flatMap(({ manifest }) =>
      (JSON.parse(fs.readFileSync(manifest, 'utf8')).accepted as [string][]).map(([id]) => id),
    );
    const warehouse = ChdbWarehouse.open(path.join(dataDir, 'clickhouse'));
    try {
      const rows = await warehouse.query<{ event_id: string; rows: string }>(
        `SELECT toString(event_id) AS event_id, count() AS rows FROM ${WAREHOUSE_DB}.events GROUP BY event_id`,
      );
      const copies = await warehouse.query<{ event_id: string; copies: string }>(
        `SELECT toString(event_id) AS event_id, sum(copies) AS copies FROM ${WAREHOUSE_DB}.event_deliveries GROUP BY event_id`,
      );
      expect(acknowledged.length).toBe(runs.length * 1000);
      expect(new Set(rows.map((r) => r.event_id))).toEqual(new Set(acknowledged));
      expect(rows.filter((r) => Number(r.rows) !== 1)).toEqual([]);
      // Every materialized view saw each event exactly once: the delivery ledger, and the aggregates.
      expect(new Set(copies.map((r) => r.event_id))).toEqual(new Set(acknowledged));
      expect(copies.filter((r) => Number(r.copies) !== 1)).toEqual([]);
      const [totals] = await warehouse.query<{ raw: string; aggregated: string }>(
        `SELECT (SELECT count() FROM ${WAREHOUSE_DB}.events) AS raw,
                (SELECT countMerge(event_states) FROM ${WAREHOUSE_DB}.activity_daily) AS aggregated`,
      );
      expect(Number(totals!.aggregated)).toBe(Number(totals!.raw));
    } finally {
      await warehouse.close();
    }
  }, 240_000);
});
