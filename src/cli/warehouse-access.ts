import type { DailyUsers, DailyUsersQuery } from '../analytics/daily-users.ts';
import { dailyUsers } from '../analytics/daily-users.ts';
import { eventsPerDay, type EventsPerDay } from '../analytics/events-per-day.ts';
import { funnel, type FunnelStep } from '../analytics/funnel.ts';
import { rebuildAggregates, type RebuildRange, type RebuiltTable } from '../analytics/rebuild-aggregates.ts';
import { retention, type RetentionCohort } from '../analytics/retention.ts';
import { stepDifficulty, type StepDifficulty } from '../analytics/step-difficulty.ts';
import { usersActivitySeries, type UsersActivity, type UsersActivitySeriesQuery } from '../analytics/users-activity.ts';
import type { Config } from '../config/config.ts';
import { openStore, openWarehouse } from '../main.ts';
import { eraseUser, type Erasure } from '../ops/erase-user.ts';
import { dataDirOwner } from '../runtime/data-dir-lock.ts';
import type { MigrationState } from '../warehouse/migrator.ts';

export interface DayRange {
  readonly from: string;
  readonly to: string;
}

/** What CLI commands ask of the warehouse, answered directly or by the server that owns it. */
export interface WarehouseAccess {
  migrations(): Promise<MigrationState[]>;
  migrate(): Promise<MigrationState[]>;
  dailyUsers(query: DailyUsersQuery): Promise<DailyUsers[]>;
  usersActivitySeries(query: UsersActivitySeriesQuery): Promise<UsersActivity[]>;
  eventsPerDay(query: DayRange): Promise<EventsPerDay[]>;
  funnel(query: DayRange & { readonly stepId?: number | undefined }): Promise<FunnelStep[]>;
  stepDifficulty(query: DayRange): Promise<StepDifficulty[]>;
  retention(query: DayRange & { readonly weeks: number }): Promise<RetentionCohort[]>;
  rebuildAggregates(range: RebuildRange): Promise<RebuiltTable[]>;
  eraseUser(userId: number): Promise<Erasure>;
  close(): Promise<void>;
}

/**
 * chDB lets one process own the data dir: while a server runs, commands go through its API;
 * otherwise they open the embedded warehouse themselves (and, with no loader running, a rebuild
 * needs no exclusive section).
 */
export function warehouseAccess(config: Config, url: string | undefined, key: string | null): WarehouseAccess {
  if (url !== undefined || dataDirOwner(config.dataDir) !== null) return viaApi(url ?? config.serverUrl, key);
  const handle = openWarehouse(config);
  const w = handle.warehouse;
  return {
    migrations: () => handle.migrator.status(),
    migrate: () => handle.migrator.up(),
    dailyUsers: (query) => dailyUsers(w, query),
    usersActivitySeries: (query) => usersActivitySeries(w, query),
    eventsPerDay: (query) => eventsPerDay(w, query),
    funnel: (query) => funnel(w, query),
    stepDifficulty: (query) => stepDifficulty(w, query),
    retention: (query) => retention(w, query),
    rebuildAggregates: (range) => rebuildAggregates(w, range),
    async eraseUser(userId) {
      const store = await openStore(config);
      try {
        // No loader runs without a server: nothing to hold off.
        return await eraseUser({ store, warehouse: w, scheduler: { exclusive: (work) => work() } }, userId);
      } finally {
        await store.close();
      }
    },
    close: () => handle.close(),
  };
}

type ApiMigration = { version: number; name: string; applied_at: string | null };
const fromApi = (m: ApiMigration): MigrationState => ({ version: m.version, name: m.name, appliedAt: m.applied_at });

/** Query-string pairs, leaving out the absent ones. */
const search = (params: Record<string, string | number | undefined>): string =>
  new URLSearchParams(
    Object.entries(params)
      .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
      .map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();

function viaApi(base: string, key: string | null): WarehouseAccess {
  const auth: Record<string, string> = key === null ? {} : { authorization: `Bearer ${key}` };
  const call = async <T>(method: string, path: string, body?: object): Promise<T> => {
    const response = await fetch(new URL(path, base), {
      method,
      headers: body === undefined ? auth : { ...auth, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = (await response.json()) as T & { message?: string };
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${answer.message ?? ''}`);
    return answer;
  };
  const get = <T>(path: string, params: Record<string, string | number | undefined>) =>
    call<T>('GET', `${path}?${search(params)}`);
  return {
    migrations: async () =>
      (await call<{ migrations: ApiMigration[] }>('GET', '/api/warehouse/migrations')).migrations.map(fromApi),
    migrate: async () =>
      (await call<{ applied: ApiMigration[] }>('POST', '/api/warehouse/migrations')).applied.map(fromApi),
    dailyUsers: async ({ actionId, ...range }) =>
      (await get<{ days: DailyUsers[] }>('/api/stats/daily-users', { ...range, action_id: actionId })).days,
    usersActivitySeries: async (query) =>
      (await get<{ series: UsersActivity[] }>('/api/marts/users-activity/series', { ...query })).series,
    eventsPerDay: async (range) =>
      (await get<{ days: EventsPerDay[] }>('/api/stats/events-per-day', { ...range })).days,
    funnel: async ({ stepId, ...range }) =>
      (await get<{ steps: FunnelStep[] }>('/api/marts/funnel', { ...range, step_id: stepId })).steps,
    stepDifficulty: async (range) =>
      (await get<{ steps: StepDifficulty[] }>('/api/marts/step-difficulty', { ...range })).steps,
    retention: async (query) =>
      (await get<{ cohorts: RetentionCohort[] }>('/api/marts/retention', { ...query })).cohorts,
    rebuildAggregates: async (range) =>
      (await call<{ tables: RebuiltTable[] }>('POST', '/api/aggregates/rebuild', { ...range })).tables,
    eraseUser: async (userId) => {
      const erased = await call<{ user_id: number; warehouse_events: number; days: Erasure['days'] }>(
        'POST',
        `/api/users/${userId}/erase`,
      );
      return { userId: erased.user_id, warehouseEvents: erased.warehouse_events, days: erased.days };
    },
    close: () => Promise.resolve(),
  };
}
