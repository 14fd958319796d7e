import { dailyUsers } from '../../src/analytics/daily-users.ts';
import { WAREHOUSE_DB } from '../../src/warehouse/warehouse.ts';
import { round, type Figure } from '../lib/report.ts';
import { sampleRss } from '../lib/rss.ts';
import type { Adapters } from './loader.ts';

const REPEAT = 5;

async function median(run: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(REPEAT / 2)]!;
}

/** Adds synthetic rows straight into the warehouse until it holds `total` events. */
async function growTo(adapters: Adapters, total: number): Promise<void> {
  const [row] = await adapters.warehouse.query<{ n: string }>(`SELECT count() AS n FROM ${WAREHOUSE_DB}.events`);
  const missing = total - Number(row!.n);
  if (missing <= 0) return;
  await adapters.warehouse.exec(
    `INSERT INTO ${WAREHOUSE_DB}.events SELECT generateUUIDv4(), toDateTime('2026-10-22 00:00:00', 'UTC') + (number * 7919) % (10 * 86400),
       1 + number % 10000, toDateTime('2026-01-01 00:00:00', 'UTC'), NULL, concat('user ', toString(1 + number % 10000)), '', 1,
       1 + (number * 31) % 300, (number * 13) % 3, now() FROM numbers(${missing})`,
  );
}

/** Query latency (median of 5) on 1M and 10M events, with the server-side process's peak RSS. */
export async function queriesPhase(adapters: Adapters): Promise<Figure[]> {
  const figures: Figure[] = [];
  for (const total of [1_000_000, 10_000_000]) {
    await growTo(adapters, total);
    const rss = sampleRss(process.pid);
    const ms = await median(() => dailyUsers(adapters.warehouse, { from: '2026-10-01', to: '2026-10-31' }));
    figures.push({
      phase: 'queries',
      measure: `daily-users, 31 days, ${total / 1_000_000}M events`,
      steplog: round(ms, 1),
      unit: 'ms',
      peakRssMiB: rss.stop(),
    });
  }
  return figures;
}
