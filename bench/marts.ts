/**
 * Mart latency from the -State aggregates vs the same answer from a raw scan of steplog.events.
 * Generates EVENTS events (default 10 million) straight into a fresh chDB warehouse with
 * INSERT … SELECT FROM numbers() in blocks, so the materialized views fill as they would on
 * loads, checks that each mart's two answers agree, and prints the median of RUNS timings.
 *
 *   npx tsx bench/marts.ts            # EVENTS=1000000 RUNS=3 to shorten
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import Table from 'cli-table3';
import { eventsPerDay } from '../src/analytics/events-per-day.ts';
import { funnel } from '../src/analytics/funnel.ts';
import { retention } from '../src/analytics/retention.ts';
import { stepDifficulty } from '../src/analytics/step-difficulty.ts';
import { usersActivity } from '../src/analytics/users-activity.ts';
import { ChdbWarehouse } from '../src/warehouse/drivers/chdb-warehouse.ts';
import { WarehouseMigrator } from '../src/warehouse/migrator.ts';
import type { Warehouse } from '../src/warehouse/warehouse.ts';
import {
  rawEventsPerDay,
  rawFunnel,
  rawRetention,
  rawStepDifficulty,
  rawUsersActivity,
} from '../test/analytics/raw-marts.ts';

const EVENTS = Number(process.env.EVENTS ?? 10_000_000);
const RUNS = Number(process.env.RUNS ?? 3);
const BLOCK = 1_000_000;
const USERS = 100_000;
const STEPS = 1_000;
const AGGREGATES = ['activity_daily', 'cohort_daily', 'step_daily', 'step_progress'];

/**
 * One year of events (2026) by 100k users over 1000 steps, shaped like a learning platform: each
 * day about 3,000 users are active, with ~9 events each; each user works on ~40 neighbouring
 * steps; a fifth are guests; join dates spread over the 400 days before the year ends.
 */
const generateBlock = (offset: number, rows: number) => `
INSERT INTO steplog.events
SELECT
    generateUUIDv4() AS event_id,
    toDateTime('2026-01-01 00:00:00', 'UTC') + intHash32(number * 3 + 1) % (365 * 86400) AS time,
    intHash32(toRelativeDayNum(time) * 7919 + intHash32(number * 3 + 2) % 3000) % ${USERS} + 1 AS user_id,
    toDateTime('2025-12-01 00:00:00', 'UTC') + (intHash32(user_id) % 400) * 86400 AS join_date,
    if(user_id % 5 = 0, NULL, join_date) AS registration_date,
    concat('user ', toString(user_id)) AS name,
    '' AS email,
    user_id % 5 = 0 AS is_guest,
    (user_id * 7 + intHash32(number) % 40) % ${STEPS} + 1 AS step_id,
    intHash32(number * 3 + 3) % 3 AS action_id,
    time AS received_at
FROM numbers(${offset}, ${rows})`;

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; answer: T }> {
  const timings: number[] = [];
  let answer!: T;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    answer = await work();
    timings.push(performance.now() - started);
  }
  return { ms: timings.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!, answer };
}

async function count(warehouse: Warehouse, table: string): Promise<number> {
  const [row] = await warehouse.query<{ n: string }>(`SELECT count() AS n FROM steplog.${table}`);
  return Number(row!.n);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steplog-bench-'));
const warehouse = ChdbWarehouse.open(dir);
try {
  await new WarehouseMigrator(warehouse).up();
  const loadStarted = performance.now();
  for (let offset = 0; offset < EVENTS; offset += BLOCK) {
    await warehouse.exec(generateBlock(offset, Math.min(BLOCK, EVENTS - offset)));
  }
  const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
  console.log(`generated ${EVENTS} events in ${seconds(loadStarted)} s (the views filled on insert)`);
  // Background merges would get there on their own; the bench should not time a moment mid-merge.
  const mergeStarted = performance.now();
  for (const table of AGGREGATES) await warehouse.exec(`OPTIMIZE TABLE steplog.${table} FINAL`);
  console.log(`merged the aggregate parts in ${seconds(mergeStarted)} s`);
  for (const table of ['events', ...AGGREGATES]) {
    console.log(`  steplog.${table}: ${await count(warehouse, table)} rows`);
  }

  const month = { from: '2026-12-01', to: '2026-12-31' };
  const marts: [string, () => Promise<unknown>, () => Promise<unknown>][] = [
    ...[1, 7, 30].map((days): [string, () => Promise<unknown>, () => Promise<unknown>] => [
      `users-activity days=${days}`,
      () => usersActivity(warehouse, { days, date: '2026-12-31' }),
      () => rawUsersActivity(warehouse, days, '2026-12-31'),
    ]),
    [
      'events-per-day (365 days)',
      async () => (await eventsPerDay(warehouse, { from: '2026-01-01', to: '2026-12-31' })).filter((d) => d.view > 0),
      () => rawEventsPerDay(warehouse, '2026-01-01', '2026-12-31'),
    ],
    ['funnel (December)', () => funnel(warehouse, month), () => rawFunnel(warehouse, month.from, month.to)],
    [
      'step-difficulty (December)',
      () => stepDifficulty(warehouse, month),
      () => rawStepDifficulty(warehouse, month.from, month.to),
    ],
    [
      'retention (2026 cohorts, 8 weeks)',
      () => retention(warehouse, { from: '2026-01-01', to: '2026-12-31', weeks: 8 }),
      () => rawRetention(warehouse, '2026-01-01', '2026-12-31', 8),
    ],
  ];
  const table = new Table({ head: ['mart', 'aggregates ms', 'raw scan ms', 'speed-up', 'same answer'] });
  for (const [name, fromAggregates, fromRaw] of marts) {
    const agg = await time(fromAggregates);
    const raw = await time(fromRaw);
    table.push([
      name,
      agg.ms.toFixed(0),
      raw.ms.toFixed(0),
      `${(raw.ms / agg.ms).toFixed(1)}×`,
      isDeepStrictEqual(agg.answer, raw.answer) ? 'yes' : 'NO',
    ]);
  }
  console.log(`median of ${RUNS} runs each`);
  console.log(table.toString());
} finally {
  await warehouse.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
