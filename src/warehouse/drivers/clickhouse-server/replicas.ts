import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { WarehouseError } from '../../warehouse.ts';

/** One server of the list: a client for steplog's statements and one for the console. */
export interface Replica {
  /** The URL without its password, for messages. */
  readonly name: string;
  readonly client: ClickHouseClient;
  /** Same server, default database `steplog`: unqualified names in console queries mean steplog's tables. */
  readonly console: ClickHouseClient;
}

export interface ReplicaOptions {
  readonly requestTimeoutMs: number;
}

/** A failure the server answered (it ran or parsed the request), as opposed to one on the way there. */
export const answeredByServer = (error: unknown): boolean =>
  error instanceof ClickHouseError || (error instanceof Error && /Code:\s*\d+/.test(error.message));

/** Nothing reached the server: the connection was refused, so any statement may go to the next replica. */
const neverSent = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';

/**
 * The listed servers (replicas of one cluster, or one server), used one at a time: the current
 * one until it fails on the way (refused, reset, timed out), then the next. A read moves on at
 * once; a write moves on at once only when nothing was sent, otherwise it fails and its caller
 * decides (the loader re-forms the batch and reconciles): retrying it here could insert twice.
 */
export class Replicas {
  private current = 0;
  readonly all: readonly Replica[];

  constructor(urls: readonly string[], options: ReplicaOptions) {
    this.all = urls.map((url) => {
      const consoleUrl = new URL(url);
      consoleUrl.pathname = '/steplog';
      const named = new URL(url);
      named.password = named.password ? '***' : '';
      const client = (target: string) =>
        createClient({
          url: target,
          request_timeout: options.requestTimeoutMs,
          compression: { request: false, response: false },
          // Failures reach the caller as WarehouseErrors, which the loader and the API log.
          log: { level: ClickHouseLogLevel.OFF },
        });
      return { name: named.toString(), client: client(url), console: client(consoleUrl.toString()) };
    });
  }

  async read<T>(call: (replica: Replica) => Promise<T>): Promise<T> {
    return this.run(call, (error) => !answeredByServer(error));
  }

  async write<T>(call: (replica: Replica) => Promise<T>): Promise<T> {
    return this.run(call, neverSent);
  }

  async close(): Promise<void> {
    await Promise.all(this.all.flatMap((r) => [r.client.close(), r.console.close()]));
  }

  private async run<T>(call: (replica: Replica) => Promise<T>, tryNext: (error: unknown) => boolean): Promise<T> {
    const failures: string[] = [];
    for (let attempt = 0; attempt < this.all.length; attempt++) {
      const index = this.current;
      const replica = this.all[index]!;
      try {
        return await call(replica);
      } catch (error) {
        // The server's own answer, or the caller gave up (an aborted console query): no other replica.
        if (answeredByServer(error) || (error instanceof Error && error.name === 'AbortError')) throw error;
        // A failure on the way: the next call (or the next attempt) goes to another replica.
        if (this.current === index) this.current = (index + 1) % this.all.length;
        failures.push(`${replica.name}: ${error instanceof Error ? error.message : String(error)}`);
        if (!tryNext(error)) break;
      }
    }
    throw new WarehouseError(`ClickHouse unreachable: ${failures.join('; ')}`);
  }
}
