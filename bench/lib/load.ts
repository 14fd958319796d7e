import autocannon from 'autocannon';

/** Each HTTP load's length in seconds (`BENCH_SECONDS`). */
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** One autocannon load: the same body on every request, or a fresh one from `body()` each time. */
export interface Load {
  readonly path: string;
  readonly body: string | (() => string);
  readonly connections: number;
  readonly eventsPerRequest: number;
}

export interface LoadResult {
  readonly accepted: number;
  readonly eventsPerSecond: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly failed: number;
}

/** POSTs `load` for SECONDS to `base` and counts the events of the 2xx answers. */
export async function hammer(base: string, load: Load, key = ''): Promise<LoadResult> {
  const { body } = load;
  const result = await autocannon({
    url: base,
    method: 'POST',
    // The same header to the bare baseline, so both parse it; steplog checks the key as in production.
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    requests: [
      typeof body === 'string'
        ? { path: load.path, body }
        : { path: load.path, setupRequest: (request) => ({ ...request, body: body() }) },
    ],
    connections: load.connections,
    duration: SECONDS,
  });
  const ok = result.requests.total - result.non2xx - result.errors;
  return {
    accepted: ok * load.eventsPerRequest,
    eventsPerSecond: (ok * load.eventsPerRequest) / result.duration,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors,
  };
}
