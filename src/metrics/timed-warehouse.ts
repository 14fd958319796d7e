import { currentRequest } from '../runtime/request-context.ts';
import type { Warehouse } from '../warehouse/warehouse.ts';

/** The routes whose warehouse queries are timed, and the mart each names: `/api/marts/funnel` → `marts/funnel`. */
const MART_ROUTE = /^\/api\/((?:marts|stats)\/.+)$/;

/**
 * The warehouse as the API sees it: each query a mart or stats route runs is timed under the
 * route's name. Anything else (loads, the console) passes through untimed.
 */
export function timedWarehouse(warehouse: Warehouse, observe: (mart: string, seconds: number) => void): Warehouse {
  return {
    capabilities: warehouse.capabilities,
    exec: (sql) => warehouse.exec(sql),
    queryReadOnly: (sql, options) => warehouse.queryReadOnly(sql, options),
    insert: (table, rows, token) => warehouse.insert(table, rows, token),
    catchUp: () => warehouse.catchUp(),
    close: () => warehouse.close(),
    async query<T>(sql: string, params?: Record<string, string | number>): Promise<T[]> {
      const mart = MART_ROUTE.exec(currentRequest()?.route ?? '')?.[1];
      if (mart === undefined) return warehouse.query<T>(sql, params);
      const started = performance.now();
      try {
        return await warehouse.query<T>(sql, params);
      } finally {
        observe(mart, (performance.now() - started) / 1000);
      }
    },
  };
}
