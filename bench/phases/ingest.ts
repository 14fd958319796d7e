import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { sampleRss } from '../lib/rss.ts';
import { api } from '../../test/helpers/server.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';
import { startBare, startSteplog } from '../lib/servers.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const event = { user_id: 1, step_id: 1, action_id: 0 };
const batchBody = (size: number) =>
  JSON.stringify({ events: Array.from({ length: size }, (_, i) => ({ ...event, action_id: i % 3 })) });

interface Load {
  readonly path: string;
  readonly body: string;
  readonly connections: number;
  readonly eventsPerRequest: number;
}

async function hammer(base: string, load: Load, key = '') {
  const result = await autocannon({
    url: `${base}${load.path}`,
    method: 'POST',
    // The same header to the bare baseline, so both parse it; steplog checks the key as in production.
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: load.body,
    connections: load.connections,
    duration: SECONDS,
  });
  const ok = result.requests.total - result.non2xx - result.errors;
  return {
    accepted: ok * load.eventsPerRequest,
    eventsPerSecond: (ok * load.eventsPerRequest) / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failed: result.non2xx + result.errors,
  };
}

/** POST /api/events at 1, 32, 256 connections and batches of 100 and 1,000, each against the bare baseline. */
export async function ingestPhase(): Promise<Figure[]> {
  const loads: (Load & { name: string; target?: string })[] = [
    ...[1, 32, 256].map((connections) => ({
      name: `single event, ${connections} conn`,
      path: '/api/events',
      body: JSON.stringify(event),
      connections,
      eventsPerRequest: 1,
      ...(connections === 32 ? { target: '≥ 0.6 of bare' } : {}),
    })),
    ...[100, 1000].map((size) => ({
      name: `batch of ${size}, 8 conn`,
      path: '/api/events/batch',
      body: batchBody(size),
      connections: 8,
      eventsPerRequest: size,
      target: '≥ 300,000 events/s',
    })),
  ];

  const figures: Figure[] = [];
  for (const load of loads) {
    const bare = await startBare();
    const baseline = await hammer(bare.url, load).finally(() => bare.stop());
    // A fresh server per load, so each starts on an empty store; the loader stays out of the way
    // (1 h interval, and no load of less than a million events, more than one 5 s load sends;
    // the memory limit makes room for a load of that size, which never comes).
    const server = await startSteplog({
      STEPLOG_FLUSH_INTERVAL: '1h',
      STEPLOG_BATCH_SIZE: '1000000',
      STEPLOG_MEMORY_LIMIT: String(8 * 1024 ** 3),
      STEPLOG_MAX_BACKLOG: '100000000',
    });
    try {
      // Every event of the body must be stored: a batch answers 202 even when it refuses items.
      const probe = await api<{ rejected?: number }>(server.url, 'POST', load.path, load.body, server.keys.ingest);
      if (probe.status !== 202 || (probe.body.rejected ?? 0) > 0) {
        throw new Error(`${load.name}: the bench's events are refused: ${probe.status} ${JSON.stringify(probe.body)}`);
      }
      const rss = sampleRss(server.child.pid!);
      const run = await hammer(server.url, load, server.keys.ingest);
      const storeBytes = ['steplog.sqlite', 'steplog.sqlite-wal']
        .map((file) => path.join(server.dataDir, file))
        .reduce((sum, file) => sum + (fs.existsSync(file) ? fs.statSync(file).size : 0), 0);
      figures.push({
        phase: 'ingest',
        measure: load.name,
        steplog: round(run.eventsPerSecond),
        baseline: round(baseline.eventsPerSecond),
        unit: 'events/s',
        ...(load.target ? { target: load.target } : {}),
        peakRssMiB: rss.stop(),
        loadAverage: loadAverage(),
        note:
          `p50 ${run.p50} ms, p99 ${run.p99} ms (bare p50 ${baseline.p50}, p99 ${baseline.p99})` +
          `${run.failed ? `, ${run.failed} failed` : ''}; store files ${round(storeBytes / Math.max(1, run.accepted))} B/event`,
      });
    } finally {
      await server.stop();
    }
  }
  return figures;
}
