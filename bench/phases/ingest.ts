import fs from 'node:fs';
import path from 'node:path';
import { api } from '../../test/helpers/server.ts';
import { hammer, type Load } from '../lib/load.ts';
import { randomBatch, randomEvent, type Population } from '../lib/population.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';
import { sampleRss } from '../lib/rss.ts';
import { metric, startBare, startSteplog } from '../lib/servers.ts';

const event = { user_id: 1, step_id: 1, action_id: 0 };
const batchBody = (size: number) =>
  JSON.stringify({ events: Array.from({ length: size }, (_, i) => ({ ...event, action_id: i % 3 })) });

/** The ingest server: the loader out of the way (see below). */
export const INGEST_ENV = {
  STEPLOG_FLUSH_INTERVAL: '1h',
  STEPLOG_BATCH_SIZE: '1000000',
  STEPLOG_MEMORY_LIMIT: String(8 * 1024 ** 3),
  STEPLOG_MAX_BACKLOG: '100000000',
};

const storeFileBytes = (dataDir: string) =>
  ['steplog.sqlite', 'steplog.sqlite-wal']
    .map((file) => path.join(dataDir, file))
    .reduce((sum, file) => sum + (fs.existsSync(file) ? fs.statSync(file).size : 0), 0);

type NamedLoad = Load & { name: string; target?: string; population?: Population };

/**
 * POST /api/events at 1, 32, 256 connections and batches of 100 and 1,000 (user 1, step 1, ids
 * made by the server); then single events and batches of 1,000 with client random UUIDv4 ids over
 * `population`'s users and steps, a fresh body per request. Each against the bare baseline, which
 * gets the very same bodies.
 */
export async function ingestPhase(population: Population): Promise<Figure[]> {
  const many = `client UUIDv4 ids, ${population.users.toLocaleString('en')} users × ${population.steps.toLocaleString('en')} steps`;
  const loads: NamedLoad[] = [
    ...[1, 32, 256].map((connections) => ({
      name: `single event, ${connections} conn`,
      path: '/api/events',
      body: JSON.stringify(event),
      connections,
      eventsPerRequest: 1,
      ...(connections === 32 ? { target: '≥ 0.7 of bare' } : {}),
    })),
    ...[100, 1000].map((size) => ({
      name: `batch of ${size}, 8 conn`,
      path: '/api/events/batch',
      body: batchBody(size),
      connections: 8,
      eventsPerRequest: size,
      target: '≥ 300,000 events/s',
    })),
    {
      name: `single event, 32 conn, ${many}`,
      path: '/api/events',
      body: () => randomEvent(population, true),
      connections: 32,
      eventsPerRequest: 1,
      target: '≥ 0.7 of bare',
      population,
    },
    {
      name: `batch of 1000, 8 conn, ${many}`,
      path: '/api/events/batch',
      body: () => randomBatch(population, 1000, true),
      connections: 8,
      eventsPerRequest: 1000,
      target: '≥ 150,000 events/s',
      population,
    },
  ];

  const figures: Figure[] = [];
  for (const load of loads) {
    const bare = await startBare();
    const baseline = await hammer(bare.url, load).finally(() => bare.stop());
    // A fresh server per load, so each starts on an empty store (beside its users and steps); the
    // loader stays out of the way (1 h interval, and no load of less than a million events, more
    // than one 5 s load sends; the memory limit makes room for a load of that size, which never comes).
    const server = await startSteplog(INGEST_ENV, load.population);
    try {
      // Every event of the body must be stored: a batch answers 202 even when it refuses items.
      const body = typeof load.body === 'string' ? load.body : load.body();
      const probe = await api<{ rejected?: number }>(server.url, 'POST', load.path, body, server.keys.ingest);
      if (probe.status !== 202 || (probe.body.rejected ?? 0) > 0) {
        throw new Error(`${load.name}: the bench's events are refused: ${probe.status} ${JSON.stringify(probe.body)}`);
      }
      const rss = sampleRss(server.child.pid!);
      const run = await hammer(server.url, load, server.keys.ingest);
      const peak = rss.stop();
      const rejected = await metric(server, 'steplog_events_rejected_total');
      // What the load added to the store files (the template's users and steps not counted).
      const storeBytes = storeFileBytes(server.dataDir) - (load.population ? storeFileBytes(load.population.dir) : 0);
      figures.push({
        phase: 'ingest',
        measure: load.name,
        steplog: round(run.eventsPerSecond),
        baseline: round(baseline.eventsPerSecond),
        unit: 'events/s',
        ...(load.target ? { target: load.target } : {}),
        peakRssMiB: peak,
        loadAverage: loadAverage(),
        note:
          `p50 ${run.p50} ms, p99 ${run.p99} ms (bare p50 ${baseline.p50}, p99 ${baseline.p99})` +
          `${run.failed ? `, ${run.failed} failed` : ''}${rejected ? `, ${rejected} events REFUSED` : ''}` +
          `; store files ${round(storeBytes / Math.max(1, run.accepted))} B/event`,
      });
    } finally {
      await server.stop();
    }
  }
  return figures;
}
