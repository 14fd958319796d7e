import type { Logger } from 'pino';
import { addDays } from '../analytics/days.ts';
import { rebuildAggregates } from '../analytics/rebuild-aggregates.ts';
import { FAMILY_TABLES, type EventFamily } from '../warehouse/event-families.ts';
import { keptFromDay } from '../events/retention-horizon.ts';
import type { LoadScheduler } from '../loader/scheduler.ts';
import type { RetentionStore } from '../store/retention.ts';
import { deleteRows } from '../warehouse/mutations.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';

/** How often the retention runs while serving (and once at start). */
export const RETENTION_EVERY_MS = 24 * 3_600_000;

export interface RetentionDeps {
  readonly retention: RetentionStore;
  readonly warehouse: Warehouse;
  readonly scheduler: Pick<LoadScheduler, 'exclusive'>;
  /** How long one warehouse DELETE may take (STEPLOG_MUTATION_TIMEOUT). */
  readonly mutationTimeoutMs: number;
}

export interface RetentionRun {
  /** The first UTC day kept: the first of the month holding now − retention. */
  readonly keptFrom: string;
  /** Months (YYYYMM) dropped from steplog.events and the aggregates. */
  readonly droppedMonths: string[];
  /** Delivered events deleted from the store. */
  readonly storeEvents: number;
  /** Months dropped from steplog.site_events and the site aggregates. */
  readonly siteDroppedMonths: string[];
  /** Delivered site events deleted from the store. */
  readonly storeSiteEvents: number;
}

/**
 * Drops whole months older than the retention: a month goes once its last day is older than now −
 * retention, so the kept period is always whole months and every mart over it stays exact. For
 * each family (learning and site events), the month's partitions leave the raw table (DROP
 * PARTITION) and its event ids the delivery ledger; rebuilding the family's aggregates over the
 * dropped months then drops their partitions there too (the rebuild finds no rows for them) and
 * recomputes step_progress from the kept events. The store forgets the delivered events of both
 * families before the same day. Loads are held off meanwhile.
 */
export async function applyRetention(
  deps: RetentionDeps,
  retentionMs: number,
  now = Date.now(),
): Promise<RetentionRun> {
  const keptFrom = keptFromDay(retentionMs, now);
  const { retention, warehouse, scheduler } = deps;
  return scheduler.exclusive(async () => {
    const droppedMonths = await dropMonths(warehouse, 'learning', keptFrom, deps.mutationTimeoutMs);
    const siteDroppedMonths = await dropMonths(warehouse, 'site', keptFrom, deps.mutationTimeoutMs);
    const storeEvents = await retention.deleteDeliveredBefore(Date.parse(keptFrom));
    const storeSiteEvents = await retention.deleteDeliveredSiteBefore(Date.parse(keptFrom));
    return { keptFrom, droppedMonths, storeEvents, siteDroppedMonths, storeSiteEvents };
  });
}

/** Drops one family's months before `keptFrom` from its raw table, ledger and aggregates; answers them. */
async function dropMonths(
  warehouse: Warehouse,
  family: EventFamily,
  keptFrom: string,
  timeoutMs: number,
): Promise<string[]> {
  const tables = FAMILY_TABLES[family];
  const { events, deliveries } = tables;
  const keptMonth = keptFrom.slice(0, 7).replace('-', '');
  const old = await warehouse.query<{ partition_id: string }>(
    `SELECT DISTINCT partition_id FROM system.parts WHERE database = '${WAREHOUSE_DB}' AND table = '${events}' ` +
      `AND active AND partition_id < '${keptMonth}' ORDER BY partition_id`,
  );
  const months = old.map((row) => row.partition_id);
  if (months.length === 0) return months;
  const before = `toDateTime('${keptFrom} 00:00:00', 'UTC')`;
  await deleteRows(
    warehouse,
    deliveries,
    `event_id IN (SELECT event_id FROM ${WAREHOUSE_DB}.${events} WHERE time < ${before})`,
    timeoutMs,
  );
  for (const id of months) await warehouse.exec(`ALTER TABLE ${WAREHOUSE_DB}.${events} DROP PARTITION ID '${id}'`);
  await rebuildAggregates(warehouse, { from: '1970-01-01', to: addDays(keptFrom, -1) }, tables);
  return months;
}

/** Runs the retention now and every RETENTION_EVERY_MS; answers the function that stops it. */
export function scheduleRetention(deps: RetentionDeps, retentionMs: number, log: Logger): () => void {
  const run = () =>
    applyRetention(deps, retentionMs)
      .then((done) => log.info({ component: 'retention', ...done }, 'retention applied'))
      .catch((error: unknown) => log.error({ component: 'retention', err: error }, 'retention failed; retried later'));
  void run();
  const timer = setInterval(() => void run(), RETENTION_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}
