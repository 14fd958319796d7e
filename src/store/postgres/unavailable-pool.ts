import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import { StoreUnavailableError } from '../errors.ts';
import { isUnavailable } from './postgres-errors.ts';

/**
 * The pool as Kysely sees it, with every failure to reach the server — at checkout or during a
 * query, a read as much as a write — turned into StoreUnavailableError: a request that meets a
 * restarting PostgreSQL anywhere (the API key check included) answers 503 + Retry-After, not 500.
 * A connection that failed so is destroyed on release instead of going back to the pool.
 */
export function unavailableAware(pool: pg.Pool): PostgresPool {
  const translate = (error: unknown): unknown =>
    isUnavailable(error)
      ? new StoreUnavailableError(`the store cannot be reached: ${(error as Error).message}`, { cause: error })
      : error;
  return {
    async connect(): Promise<PostgresPoolClient> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translate(error);
      }
      let broken: Error | undefined;
      function query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>>;
      function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
      function query<R>(
        text: string | PostgresCursor<R>,
        parameters?: readonly unknown[],
      ): Promise<PostgresQueryResult<R>> | PostgresCursor<R> {
        // A cursor (streaming) is handed through: its reads fail as the driver says.
        if (typeof text !== 'string') return client.query(text as never);
        return (client.query(text, parameters as unknown[]) as unknown as Promise<PostgresQueryResult<R>>).catch(
          (error: unknown) => {
            const translated = translate(error);
            if (translated instanceof StoreUnavailableError) broken = translated;
            throw translated;
          },
        );
      }
      return { query, release: () => client.release(broken) };
    },
    end: () => pool.end(),
  };
}
