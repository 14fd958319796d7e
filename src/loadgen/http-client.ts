/** Why a request was repeated. */
export type RetryReason = 'timeout' | 'network' | 'busy' | 'server';

export interface HttpClientOptions {
  /** Servers that answer alike (api processes over one store): requests take turns, a retry goes to the next. */
  readonly baseUrls: readonly string[];
  /** Sent as `Authorization: Bearer`; null sends none. */
  readonly apiKey: string | null;
  /** One attempt's limit; a timed-out request is sent again with the same body (same event_ids). */
  readonly timeoutMs: number;
  /** Stop retrying once a request has gone this long without an answer (the server stayed down). */
  readonly giveUpAfterMs: number;
  readonly onRetry?: (reason: RetryReason) => void;
}

export interface HttpAnswer<T> {
  readonly status: number;
  readonly body: T;
}

const MAX_BACKOFF_MS = 2_000;

/**
 * JSON over HTTP that retries what is safe to retry — every write carries its event_ids, so a
 * repeat adds nothing: timeouts, refused connections, 5xx. A 503 waits as long as Retry-After says.
 * Any other answer (2xx, 4xx) is returned to the caller. With several base URLs, requests are
 * spread over them in turn and every retry goes to the next one: a dead server costs one attempt.
 */
export class HttpClient {
  private turn = 0;

  constructor(private readonly options: HttpClientOptions) {
    if (options.baseUrls.length === 0) throw new Error('HttpClient needs at least one base URL');
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<HttpAnswer<T>> {
    const started = Date.now();
    const first = this.turn++;
    const urls = this.options.baseUrls;
    for (let attempt = 0; ; attempt++) {
      let wait: number;
      let reason: RetryReason;
      try {
        const response = await fetch(new URL(path, urls[(first + attempt) % urls.length]), {
          method,
          headers: {
            ...(this.options.apiKey === null ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(this.options.timeoutMs),
        });
        const text = await response.text();
        if (response.status < 500) return { status: response.status, body: (text ? JSON.parse(text) : null) as T };
        reason = response.status === 503 ? 'busy' : 'server';
        wait = retryAfterMs(response.headers.get('retry-after')) ?? backoff(attempt);
      } catch (error) {
        reason = (error as Error).name === 'TimeoutError' ? 'timeout' : 'network';
        wait = backoff(attempt);
      }
      if (Date.now() - started > this.options.giveUpAfterMs) {
        throw new Error(`${method} ${path}: no answer after retrying for ${this.options.giveUpAfterMs} ms (${reason})`);
      }
      this.options.onRetry?.(reason);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** A request whose answer must be 2xx. */
  async ok<T>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.request<T & { message?: string }>(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.body?.message ?? ''}`);
    return answer.body;
  }
}

const backoff = (attempt: number): number => Math.min(MAX_BACKOFF_MS, 100 * 2 ** attempt);

function retryAfterMs(header: string | null): number | undefined {
  const seconds = Number(header);
  return header !== null && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}
