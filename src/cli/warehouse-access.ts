import type { DailyUsers, DailyUsersQuery } from '../analytics/daily-users.ts';
import { dailyUsers } from '../analytics/daily-users.ts';
import type { Config } from '../config/config.ts';
import { openWarehouse } from '../main.ts';
import { dataDirOwner } from '../runtime/data-dir-lock.ts';
import type { MigrationState } from '../warehouse/migrator.ts';

/** What CLI commands ask of the warehouse, answered directly or by the server that owns it. */
export interface WarehouseAccess {
  migrations(): Promise<MigrationState[]>;
  migrate(): Promise<MigrationState[]>;
  dailyUsers(query: DailyUsersQuery): Promise<DailyUsers[]>;
  close(): Promise<void>;
}

/**
 * chDB lets one process own the data dir: while a server runs, commands go through its API;
 * otherwise they open the embedded warehouse themselves.
 */
export function warehouseAccess(config: Config, url?: string): WarehouseAccess {
  if (url !== undefined || dataDirOwner(config.dataDir) !== null) return viaApi(url ?? config.serverUrl);
  const handle = openWarehouse(config);
  return {
    migrations: () => handle.migrator.status(),
    migrate: () => handle.migrator.up(),
    dailyUsers: (query) => dailyUsers(handle.warehouse, query),
    close: () => handle.close(),
  };
}

type ApiMigration = { version: number; name: string; applied_at: string | null };
const fromApi = (m: ApiMigration): MigrationState => ({ version: m.version, name: m.name, appliedAt: m.applied_at });

function viaApi(base: string): WarehouseAccess {
  const call = async <T>(method: string, path: string): Promise<T> => {
    const response = await fetch(new URL(path, base), { method });
    const body = (await response.json()) as T & { message?: string };
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${body.message ?? ''}`);
    return body;
  };
  return {
    migrations: async () =>
      (await call<{ migrations: ApiMigration[] }>('GET', '/api/warehouse/migrations')).migrations.map(fromApi),
    migrate: async () =>
      (await call<{ applied: ApiMigration[] }>('POST', '/api/warehouse/migrations')).applied.map(fromApi),
    dailyUsers: async ({ from, to, actionId }) => {
      const params = new URLSearchParams({
        from,
        to,
        ...(actionId === undefined ? {} : { action_id: String(actionId) }),
      });
      return (await call<{ days: DailyUsers[] }>('GET', `/api/stats/daily-users?${params.toString()}`)).days;
    },
    close: () => Promise.resolve(),
  };
}
