import { isDeepStrictEqual } from 'node:util';
import { dailyUsers } from '../../src/analytics/daily-users.ts';
import { eventsPerDay } from '../../src/analytics/events-per-day.ts';
import { funnel } from '../../src/analytics/funnel.ts';
import { retention } from '../../src/analytics/retention.ts';
import { stepDifficulty } from '../../src/analytics/step-difficulty.ts';
import { usersActivity } from '../../src/analytics/users-activity.ts';
import { WAREHOUSE_DB, type Warehouse } from '../../src/warehouse/warehouse.ts';
import {
  rawDailyUsers,
  rawEventsPerDay,
  rawFunnel,
  rawRetention,
  rawStepDifficulty,
  rawUsersActivity,
} from '../../test/analytics/raw-marts.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';
import { sampleRss } from '../lib/rss.ts';

const RUNS = 5;
const BLOCK = 1_000_000;
const USERS = 100_000;
const STEPS = 1_000;
const AGGREGATES = ['activity_daily', 'cohort_daily', 'step_daily', 'step_progress'];
const SIZES = (process.env.BENCH_QUERY_EVENTS ?? '1000000,10000000,30000000').split(',').map(Number);

/**
 * One year of events (2026) by 100k users over 1000 steps, shaped like a learning platform: each
 * day about 3,000 users are active, with ~9 events each; each user works on ~40 neighbouring
 * steps; a fifth are guests; join dates spread over the 400 days before the year ends. Inserted
 * into steplog.events, so the materialized views fill the aggregates as loads would.
 */
const generateBlock = (offset: number, rows: number) => `
INSERT INTO ${WAREHOUSE_DB}.events
SELECT
    generateUUIDv4() AS event_id,
    toDateTime('2026-01-01 00:00:00', 'UTC') + intHash32(number * 3 + 1) % (365 * 86400) AS time,
    toUInt64(time) * 1000 + intHash32(number * 3 + 4) % 1000 AS time_ms,
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

async function median<T>(work: () => Promise<T>): Promise<{ ms: number; answer: T }> {
  const timings: number[] = [];
  let answer!: T;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    answer = await work();
    timings.push(performance.now() - started);
  }
  return { ms: timings.sort((a, b) => a - b)[Math.floor(RUNS / 2)]!, answer };
}

type Case = [name: string, fromAggregates: () => Promise<unknown>, rawScan: () => Promise<unknown>];

function cases(warehouse: Warehouse): Case[] {
  const month = { from: '2026-12-01', to: '2026-12-31' };
  return [
    [
      'daily-users, December',
      () => dailyUsers(warehouse, month),
      () => rawDailyUsers(warehouse, month.from, month.to), // daily-users is itself a raw scan (seed Part 4)
    ],
    ...[1, 7, 30].map((days): Case => [
      `users-activity, days=${days}`,
      () => usersActivity(warehouse, { days, date: '2026-12-31' }),
      () => rawUsersActivity(warehouse, days, '2026-12-31'),
    ]),
    [
      'events-per-day, 365 days',
      async () => (await eventsPerDay(warehouse, { from: '2026-01-01', to: '2026-12-31' })).filter((d) => d.view > 0),
      () => rawEventsPerDay(warehouse, '2026-01-01', '2026-12-31'),
    ],
    ['funnel, December', () => funnel(warehouse, month), () => rawFunnel(warehouse, month.from, month.to)],
    [
      'step-difficulty, December',
      () => stepDifficulty(warehouse, month),
      () => rawStepDifficulty(warehouse, month.from, month.to),
    ],
    [
      'retention, 8 weeks',
      () => retention(warehouse, { from: '2026-01-01', to: '2026-12-31', weeks: 8 }),
      () => rawRetention(warehouse, '2026-01-01', '2026-12-31', 8, new Date().toISOString().slice(0, 10)),
    ],
  ];
}

/**
 * Query latency (median of 5) on each BENCH_QUERY_EVENTS history (1M, 10M, 30M events): each mart
 * from the -State aggregates, with the same answer from a raw scan of steplog.events as the
 * baseline (and a check that they agree). Daily users is a raw scan itself; its baseline is an
 * independently written one (test/analytics/raw-marts.ts), so its check is not a tautology.
 */
export async function queriesPhase(
  { warehouse }: { readonly warehouse: Warehouse },
  phase = 'queries',
): Promise<Figure[]> {
  for (const table of ['events', ...AGGREGATES]) await warehouse.exec(`TRUNCATE TABLE ${WAREHOUSE_DB}.${table}`);
  const figures: Figure[] = [];
  let loaded = 0;
  for (const total of SIZES) {
    for (; loaded < total; loaded += Math.min(BLOCK, total - loaded)) {
      await warehouse.exec(generateBlock(loaded, Math.min(BLOCK, total - loaded)));
    }
    // Background merges would get there on their own; the bench should not time a moment mid-merge.
    for (const table of AGGREGATES) await warehouse.exec(`OPTIMIZE TABLE ${WAREHOUSE_DB}.${table} FINAL`);
    for (const [name, fromAggregates, rawScan] of cases(warehouse)) {
      const rss = sampleRss(process.pid);
      const agg = await median(fromAggregates);
      const raw = await median(rawScan);
      figures.push({
        phase,
        measure: `${name}, ${total / 1_000_000}M events`,
        steplog: round(agg.ms, 1),
        baseline: round(raw.ms, 1),
        unit: 'ms',
        target: '< 100 ms',
        peakRssMiB: rss.stop(),
        loadAverage: loadAverage(),
        note: isDeepStrictEqual(agg.answer, raw.answer) ? 'same answer as raw' : 'ANSWERS DIFFER',
      });
    }
  }
  return figures;
}
