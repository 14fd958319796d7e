import { api } from '../../test/helpers/server.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';
import { sampleRss } from '../lib/rss.ts';
import { startSteplog } from '../lib/servers.ts';

const RATE = 5_000;
const SECONDS = Number(process.env.BENCH_FRESHNESS_SECONDS ?? 10);
const TICK_MS = 20;
const PER_TICK = (RATE * TICK_MS) / 1000;

/**
 * Time from a 2xx to visible in ClickHouse at a steady 5,000 events/s with a 1 s flush interval.
 * The loader inserts in commit order, so the k-th acknowledged event is visible once the
 * warehouse count reaches k; a poller samples that count every 50 ms.
 */
export async function freshnessPhase(): Promise<Figure[]> {
  const server = await startSteplog({ STEPLOG_FLUSH_INTERVAL: '1s' });
  const rss = sampleRss(server.child.pid!);
  const today = new Date().toISOString().slice(0, 10);
  const acked: number[] = [];
  const visibleAt: { count: number; at: number }[] = [];
  const failedPolls: string[] = [];
  let sending = true;

  const poll = (async () => {
    while (sending || (visibleAt.at(-1)?.count ?? 0) < acked.length) {
      const res = await api<{ days: { events: number }[] }>(
        server.url,
        'GET',
        `/api/stats/daily-users?from=${today}&to=${today}`,
      );
      // A poll the server could not answer (e.g. 503 while the machine is busy) is a missed sample.
      if (res.status === 200) visibleAt.push({ count: res.body.days[0]!.events, at: performance.now() });
      else failedPolls.push(`${res.status} ${JSON.stringify(res.body)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();

  const body = { events: Array.from({ length: PER_TICK }, () => ({ user_id: 1, step_id: 1, action_id: 0 })) };
  const start = performance.now();
  const inflight: Promise<void>[] = [];
  for (let tick = 0; tick < (SECONDS * 1000) / TICK_MS; tick++) {
    const due = start + tick * TICK_MS;
    await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
    inflight.push(
      api(server.url, 'POST', '/api/events/batch', body).then((res) => {
        if (res.status !== 202) throw new Error(`ingest failed: ${res.status}`);
        const at = performance.now();
        for (let i = 0; i < PER_TICK; i++) acked.push(at);
      }),
    );
  }
  await Promise.all(inflight);
  sending = false;
  await poll;
  const peak = rss.stop();
  const load = loadAverage();
  await server.stop();

  // Batches can be acknowledged out of order; pairing the k-th ack time with the k-th visible row is a
  // close approximation that holds exactly when the acks arrive in commit order.
  acked.sort((a, b) => a - b);
  const delays = acked.map((at, k) => visibleAt.find((v) => v.count > k)!.at - at).sort((a, b) => a - b);
  const pct = (p: number) => delays[Math.min(delays.length - 1, Math.floor(p * delays.length))]!;
  return [
    {
      phase: 'freshness',
      measure: `2xx → visible, p50 (${RATE}/s, 1 s flush)`,
      steplog: round(pct(0.5)),
      unit: 'ms',
      peakRssMiB: peak,
      loadAverage: load,
    },
    {
      phase: 'freshness',
      measure: `2xx → visible, p99 (${RATE}/s, 1 s flush)`,
      steplog: round(pct(0.99)),
      unit: 'ms',
      target: '≤ 1250 ms (flush + 0.25 s)',
      peakRssMiB: peak,
      loadAverage: load,
      note:
        `${acked.length} events over ${SECONDS} s, visibility polled every 50 ms` +
        (failedPolls.length > 0 ? `; ${failedPolls.length} polls failed, first: ${failedPolls[0]}` : ''),
    },
  ];
}
