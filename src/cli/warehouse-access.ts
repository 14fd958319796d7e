import { dailyUsers, type DailyUsers, type DailyUsersQuery } from '../analytics/daily-users.ts';
import type { DayRange } from '../analytics/days.ts';
import { eventsPerDay, type EventsPerDay } from '../analytics/events-per-day.ts';
import { funnel, type FunnelStep } from '../analytics/funnel.ts';
import { rebuildAggregates, type RebuildRange, type RebuiltTable } from '../analytics/rebuild-aggregates.ts';
import { retention, type RetentionCohort } from '../analytics/retention.ts';
import { stepDifficulty, type StepDifficulty } from '../analytics/step-difficulty.ts';
import { usersActivitySeries, type UsersActivity, type UsersActivitySeriesQuery } from '../analytics/users-activity.ts';
import type { Config } from '../config/config.ts';
import { openErasureStores, openStore, openWarehouse, type WarehouseHandle } from '../adapters.ts';
import { backup, backupSources, type BackupManifest } from '../ops/backup.ts';
import { eraseUser, type Erasure } from '../ops/erase-user.ts';
import type { MigrationState } from '../warehouse/migrator.ts';
import { WarehouseInUseError, WarehouseSchemaMissingError } from '../warehouse/warehouse.ts';

type Params = Record<string, string | number | undefined>;

/** The same question as a request to a steplog server: query string (GET) or JSON body (POST). */
interface Route<Q, R> {
  readonly method: 'GET' | 'POST';
  readonly path: string | ((query: Q) => string);
  readonly params: (query: Q) => Params;
  /** Picks the answer out of the response body (typed by the route's schema). */
  readonly answer: (body: never) => R;
}

/** One thing a CLI command asks of the warehouse: answered by the warehouse itself, or by a server. */
interface Operation<Q, R> {
  readonly direct: (handle: WarehouseHandle, query: Q, config: Config) => Promise<R>;
  readonly viaServer: Route<Q, R>;
}

const operation = <Q, R>(direct: Operation<Q, R>['direct'], viaServer: Route<Q, R>): Operation<Q, R> => ({
  direct,
  viaServer,
});
const get = <Q, R>(path: string, params: (query: Q) => Params, answer: Route<Q, R>['answer']): Route<Q, R> => ({
  method: 'GET',
  path,
  params,
  answer,
});

/** No loader runs without a server: nothing to hold off. */
const noLoads = { exclusive: <T>(work: () => Promise<T>) => work() };

type ApiMigration = { version: number; name: string; applied_at: string | null };
const fromApi = (m: ApiMigration): MigrationState => ({ version: m.version, name: m.name, appliedAt: m.applied_at });

/** Every operation, once: a new mart is one line for the warehouse and one for the server. */
const OPERATIONS = {
  migrations: operation<void, MigrationState[]>(
    (h) => h.migrator.status(),
    get(
      '/api/warehouse/migrations',
      () => ({}),
      (b: { migrations: ApiMigration[] }) => b.migrations.map(fromApi),
    ),
  ),
  migrate: operation<void, MigrationState[]>((h) => h.migrator.up(), {
    method: 'POST',
    path: '/api/warehouse/migrations',
    params: () => ({}),
    answer: (b: { applied: ApiMigration[] }) => b.applied.map(fromApi),
  }),
  dailyUsers: operation<DailyUsersQuery, DailyUsers[]>(
    (h, query) => dailyUsers(h.warehouse, query),
    get(
      '/api/stats/daily-users',
      ({ actionId, ...range }) => ({ ...range, action_id: actionId }),
      (b: { days: DailyUsers[] }) => b.days,
    ),
  ),
  usersActivitySeries: operation<UsersActivitySeriesQuery, UsersActivity[]>(
    (h, query) => usersActivitySeries(h.warehouse, query),
    get(
      '/api/marts/users-activity/series',
      (query) => ({ ...query }),
      (b: { series: UsersActivity[] }) => b.series,
    ),
  ),
  eventsPerDay: operation<DayRange, EventsPerDay[]>(
    (h, range) => eventsPerDay(h.warehouse, range),
    get(
      '/api/stats/events-per-day',
      (range) => ({ ...range }),
      (b: { days: EventsPerDay[] }) => b.days,
    ),
  ),
  funnel: operation<DayRange & { readonly stepId?: number | undefined }, FunnelStep[]>(
    (h, query) => funnel(h.warehouse, query),
    get(
      '/api/marts/funnel',
      ({ stepId, ...range }) => ({ ...range, step_id: stepId }),
      (b: { steps: FunnelStep[] }) => b.steps,
    ),
  ),
  stepDifficulty: operation<DayRange, StepDifficulty[]>(
    (h, range) => stepDifficulty(h.warehouse, range),
    get(
      '/api/marts/step-difficulty',
      (range) => ({ ...range }),
      (b: { steps: StepDifficulty[] }) => b.steps,
    ),
  ),
  retention: operation<DayRange & { readonly weeks: number }, RetentionCohort[]>(
    (h, query) => retention(h.warehouse, query),
    get(
      '/api/marts/retention',
      (query) => ({ ...query }),
      (b: { cohorts: RetentionCohort[] }) => b.cohorts,
    ),
  ),
  // With no server running no loader runs either, so a direct rebuild needs no exclusive section.
  rebuildAggregates: operation<RebuildRange, RebuiltTable[]>((h, range) => rebuildAggregates(h.warehouse, range), {
    method: 'POST',
    path: '/api/aggregates/rebuild',
    params: (range) => ({ ...range }),
    answer: (b: { tables: RebuiltTable[] }) => b.tables,
  }),
  eraseUser: operation<number, Erasure>(
    async (h, userId, config) => {
      const stores = await openErasureStores(config);
      try {
        return await eraseUser(
          { ...stores, warehouse: h.warehouse, scheduler: noLoads, mutationTimeoutMs: config.mutationTimeoutMs },
          userId,
        );
      } finally {
        await stores.close();
      }
    },
    {
      method: 'POST',
      path: (userId) => `/api/users/${userId}/erase`,
      params: () => ({}),
      answer: (b: {
        user_id: number;
        warehouse_events: number;
        days: Erasure['days'];
        site_events: number;
        site_days: Erasure['siteDays'];
      }) => ({
        userId: b.user_id,
        warehouseEvents: b.warehouse_events,
        days: b.days,
        siteEvents: b.site_events,
        siteDays: b.site_days,
      }),
    },
  ),
  backup: operation<string, BackupManifest>(
    async (h, dir, config) => {
      const store = await openStore(config);
      try {
        return await backup({ ...backupSources(config.dataDir, store.snapshot, h.copy), scheduler: noLoads }, dir);
      } finally {
        await store.close();
      }
    },
    {
      method: 'POST',
      path: '/api/backup',
      params: (dir) => ({ dir }),
      answer: (b: { created_at: string; files: string[] }) => ({ version: 1, createdAt: b.created_at, files: b.files }),
    },
  ),
};

type Operations = typeof OPERATIONS;
/** What CLI commands ask of the warehouse, answered directly or through a steplog server. */
export type WarehouseAccess = {
  readonly [K in keyof Operations]: Operations[K] extends Operation<infer Q, infer R>
    ? (query: Q) => Promise<R>
    : never;
} & { close(): Promise<void> };

/**
 * Goes through a steplog server when one is named (`--url`, STEPLOG_URL) or when the warehouse
 * cannot be opened here because a running server owns it; opens the warehouse directly otherwise.
 */
export async function warehouseAccess(
  config: Config,
  url: string | undefined,
  key: string | null,
): Promise<WarehouseAccess> {
  const given = url ?? (config.serverUrlGiven ? config.serverUrl : undefined);
  if (given !== undefined) return viaServer(given, key);
  let handle: WarehouseHandle;
  try {
    handle = await openWarehouse(config);
  } catch (error) {
    if (error instanceof WarehouseInUseError) return viaServer(config.serverUrl, key);
    throw error;
  }
  return bind(
    async (op, query) => {
      try {
        return await op.direct(handle, query, config);
      } catch (error) {
        if (!(error instanceof WarehouseSchemaMissingError)) throw error;
        throw new Error(
          `the warehouse (${handle.location}) has no steplog tables yet: run \`steplog migrate up\` to create ` +
            'them, or give --url / STEPLOG_URL to ask the steplog server that holds your data',
          { cause: error },
        );
      }
    },
    () => handle.close(),
  );
}

function bind(
  run: (op: Operation<unknown, unknown>, query: unknown) => Promise<unknown>,
  close: () => Promise<void>,
): WarehouseAccess {
  const bound = Object.fromEntries(
    Object.entries(OPERATIONS).map(([name, op]) => [
      name,
      (query: unknown) => run(op as Operation<unknown, unknown>, query),
    ]),
  );
  return { ...bound, close } as WarehouseAccess;
}

function viaServer(base: string, key: string | null): WarehouseAccess {
  const auth: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  return bind(
    async ({ viaServer: route }, query) => {
      const params = Object.entries(route.params(query)).filter(
        (entry): entry is [string, string | number] => entry[1] !== undefined,
      );
      const get = route.method === 'GET';
      const path = typeof route.path === 'string' ? route.path : route.path(query);
      const target = new URL(path, base);
      if (get) target.search = new URLSearchParams(params.map(([k, v]): [string, string] => [k, String(v)])).toString();
      let response: Response;
      try {
        response = await fetch(target, {
          method: route.method,
          headers: get ? auth : { ...auth, 'content-type': 'application/json' },
          body: get ? undefined : JSON.stringify(Object.fromEntries(params)),
        });
      } catch (error) {
        const reason = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
        throw new Error(
          `cannot reach the steplog server at ${base} (${reason}): start it with \`steplog serve\`, or fix --url / STEPLOG_URL`,
          { cause: error },
        );
      }
      const body = (await response.json()) as { message?: string };
      if (!response.ok) throw new Error(`${route.method} ${path}: ${response.status} ${body.message ?? ''}`);
      return route.answer(body as never);
    },
    () => Promise.resolve(),
  );
}
