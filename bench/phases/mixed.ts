import fs from 'node:fs';
import { api, startServer, tempDataDir, type ServerProcess } from '../../test/helpers/server.ts';
import { hammer, type Load } from '../lib/load.ts';
import { randomBatch, type Population } from '../lib/population.ts';
import { loadAverage, round, type Figure } from '../lib/report.ts';
import { sampleRss } from '../lib/rss.ts';
import { metric } from '../lib/servers.ts';
import { INGEST_ENV } from './ingest.ts';

/** The backlog the loader drains while ingest is measured (`BENCH_MIXED_BACKLOG`, at least 500k for the target). */
const BACKLOG = Number(process.env.BENCH_MIXED_BACKLOG ?? 600_000);
const BATCH = 1000;
/** The batch trigger of the idle server (INGEST_ENV's batch size): its arrivals must stay below it. */
const HELD_BELOW = Number(INGEST_ENV.STEPLOG_BATCH_SIZE);
const single: Load = {
  path: '/api/events',
  body: JSON.stringify({ user_id: 1, step_id: 1, action_id: 0 }),
  connections: 32,
  eventsPerRequest: 1,
};

/**
 * Single-event ingest (32 connections) while the loader drains a backlog in the same `steplog
 * serve` process, against the same ingest with the loader idle, in the same run and on the same
 * store. The backlog (`population`'s users and steps) is queued through the batch endpoint with
 * the loader held off (1 h interval, batch trigger at a million); the idle ingest is measured
 * there; then the server restarts on the same data dir with a 1 s interval and the default batch
 * size, and ingest is measured again once the loader has settled its first batch. The rows the
 * loader settled during that window, fewer than the backlog it began with, say it was loading
 * throughout.
 */
export async function mixedPhase(population: Population): Promise<Figure[]> {
  if (BACKLOG >= HELD_BELOW) throw new Error(`BENCH_MIXED_BACKLOG must stay below ${HELD_BELOW} (the batch trigger)`);
  const dataDir = tempDataDir();
  fs.cpSync(population.dir, dataDir, { recursive: true });
  let server: ServerProcess | undefined;
  try {
    server = await startServer({ STEPLOG_LOG_LEVEL: 'error', ...INGEST_ENV }, dataDir);
    const queueStarted = performance.now();
    await queue(server, population);
    const queueSeconds = (performance.now() - queueStarted) / 1000;

    const idleRss = sampleRss(server.child.pid!);
    const idle = await hammer(server.url, single, server.keys.ingest);
    const idlePeak = idleRss.stop();
    const idleLoad = loadAverage();
    // No load may have started, finished or not (a batch in progress shows in no counter yet).
    const jobs = await api<{ jobs: unknown[] }>(
      server.url,
      'GET',
      '/api/imports?limit=1',
      undefined,
      server.keys.admin,
    );
    if (jobs.status !== 200 || jobs.body.jobs.length > 0) {
      // The batch trigger (a million arrivals) fired: BENCH_MIXED_BACKLOG plus the idle load is too many.
      throw new Error(`the loader ran before or during the idle measurement: ${JSON.stringify(jobs.body)}`);
    }
    await server.stop();

    server = await startServer(
      { STEPLOG_LOG_LEVEL: 'error', STEPLOG_FLUSH_INTERVAL: '1s', STEPLOG_MAX_BACKLOG: INGEST_ENV.STEPLOG_MAX_BACKLOG },
      dataDir,
    );
    const loadedBefore = await firstBatch(server);
    const backlogBefore = await metric(server, 'steplog_backlog_events', 'family="learning"');
    const rss = sampleRss(server.child.pid!);
    const mixed = await hammer(server.url, single, server.keys.ingest);
    const peak = rss.stop();
    const load = loadAverage();
    const loaded = (await metric(server, 'steplog_loader_rows_total')) - loadedBefore;
    const backlogAfter = await metric(server, 'steplog_backlog_events', 'family="learning"');
    const rejected = await metric(server, 'steplog_events_rejected_total');

    const window =
      `loader settled ${loaded.toLocaleString('en')} rows during the ${round(mixed.seconds, 1)} s window ` +
      `(${round(loaded / mixed.seconds).toLocaleString('en')} rows/s), backlog ${backlogBefore.toLocaleString('en')} → ` +
      `${backlogAfter.toLocaleString('en')}` +
      // The loader takes events in commit order: until it has settled the backlog the window began
      // with, it was busy all along; the events ingest adds keep the backlog above 0 regardless.
      `${loaded >= backlogBefore ? ' (the backlog DRAINED within the window: partly idle)' : ''}` +
      `; queued at ${round(BACKLOG / queueSeconds).toLocaleString('en')} events/s` +
      `${mixed.failed + idle.failed ? `; ${mixed.failed} failed (idle ${idle.failed})` : ''}` +
      `${rejected ? `; ${rejected} events REFUSED` : ''}`;
    const what = `single event, 32 conn, while the loader drains a ${BACKLOG.toLocaleString('en')}-event backlog`;
    return [
      {
        phase: 'mixed',
        measure: what,
        steplog: round(mixed.eventsPerSecond),
        baseline: round(idle.eventsPerSecond),
        unit: 'events/s',
        target: '≥ 0.7 of idle',
        peakRssMiB: peak,
        loadAverage: load,
        note: `baseline: the same ingest, loader idle, same store (peak RSS ${idlePeak} MiB, load avg ${idleLoad}); ${window}`,
      },
      {
        phase: 'mixed',
        measure: `${what}, p99`,
        steplog: mixed.p99,
        baseline: idle.p99,
        unit: 'ms',
        target: '≤ 10 ms',
        peakRssMiB: peak,
        loadAverage: load,
        note: `p50 ${mixed.p50} ms (idle p50 ${idle.p50}, p99 ${idle.p99} ms)`,
      },
    ];
  } finally {
    await server?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Queues BACKLOG events (rounded up to whole batches) through the batch endpoint, 4 requests at a
 * time, each checked stored whole.
 */
async function queue(server: ServerProcess, population: Population): Promise<void> {
  const bodies = Array.from({ length: 16 }, () => randomBatch(population, BATCH, false));
  let sent = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      for (let n = sent++; n * BATCH < BACKLOG; n = sent++) {
        const res = await api<{ accepted: number }>(
          server.url,
          'POST',
          '/api/events/batch',
          bodies[n % bodies.length],
          server.keys.ingest,
        );
        if (res.status !== 202 || res.body.accepted !== BATCH) {
          throw new Error(`queueing the backlog: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        }
      }
    }),
  );
}

/** Waits (up to 60 s) for the loader to settle its first batch; answers the rows settled so far. */
async function firstBatch(server: ServerProcess): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rows = await metric(server, 'steplog_loader_rows_total');
    if (rows > 0) return rows;
    if (Date.now() > deadline) throw new Error(`the loader settled no batch within 60 s:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
