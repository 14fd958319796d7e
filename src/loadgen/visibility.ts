import type { HttpClient } from './http-client.ts';

export const MAX_IDS_PER_CHECK = 10_000;
const POLL_MS = 250;

export interface Percentiles {
  readonly sampled: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly p99Ms: number | null;
}

/**
 * Time from an event's 2xx to its row being visible in ClickHouse, measured on a sample: tracked
 * events are polled through POST /api/verify/events every 250 ms, so the resolution is ~250 ms.
 */
export class VisibilitySampler {
  private readonly pending = new Map<string, number>();
  private readonly latencies: number[] = [];
  private seen = 0;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    private readonly client: HttpClient,
    /** Tracks one accepted event in this many. */
    private readonly every: number,
  ) {}

  track(eventId: string, ackedAt: number): void {
    if (this.seen++ % this.every === 0) this.pending.set(eventId, ackedAt);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.poll().finally(() => (this.polling = undefined));
    }, POLL_MS);
  }

  /** Polls until every tracked event is visible or `timeoutMs` passes, then stops. */
  async finish(timeoutMs: number): Promise<Percentiles> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, POLL_MS));
    clearInterval(this.timer);
    await this.polling;
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) =>
      sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
    return { sampled: sorted.length, p50Ms: at(0.5), p95Ms: at(0.95), p99Ms: at(0.99) };
  }

  private async poll(): Promise<void> {
    const ids = [...this.pending.keys()].slice(0, MAX_IDS_PER_CHECK);
    if (ids.length === 0) return;
    const answer = await this.client
      .ok<{ events: { event_id: string; rows: number }[] }>('POST', '/api/verify/events', { event_ids: ids })
      .catch(() => ({ events: [] })); // the server may be busy or restarting: the next poll asks again
    const now = Date.now();
    for (const { event_id, rows } of answer.events) {
      const ackedAt = this.pending.get(event_id);
      if (ackedAt === undefined || rows === 0) continue;
      this.latencies.push(now - ackedAt);
      this.pending.delete(event_id);
    }
  }
}
