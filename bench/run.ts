import fs from 'node:fs';
import path from 'node:path';
import { openAdapters } from '../test/helpers/fixtures.ts';
import { freshnessPhase } from './phases/freshness.ts';
import { ingestPhase } from './phases/ingest.ts';
import { loaderPhase } from './phases/loader.ts';
import { mixedPhase } from './phases/mixed.ts';
import { queriesPhase } from './phases/queries.ts';
import { viewsPhase } from './phases/views.ts';
import { createPopulation } from './lib/population.ts';
import { round, writeResults, type Figure } from './lib/report.ts';
import { figureTable } from './lib/table.ts';

/** `npm run bench`: every phase, a table on the terminal and bench/results/<date>.json. */
const started = Date.now();
const figures: Figure[] = [];
const log = (message: string) => console.error(`[bench +${round((Date.now() - started) / 1000)} s] ${message}`);

/** `BENCH_PHASES` (comma-separated) runs only those phases, e.g. for a quick look at one; all by default. */
const PHASES = ['ingest', 'mixed', 'freshness', 'loader', 'queries', 'views'] as const;
const chosen = new Set(process.env.BENCH_PHASES?.split(',') ?? PHASES);
const unknown = [...chosen].filter((name) => !(PHASES as readonly string[]).includes(name));
if (unknown.length > 0) throw new Error(`BENCH_PHASES: no phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
const run = async (name: (typeof PHASES)[number], what: string, phase: () => Promise<Figure[]>) => {
  if (!chosen.has(name)) return;
  log(`${name}: ${what}`);
  figures.push(...(await phase()));
};

if (chosen.has('ingest') || chosen.has('mixed')) {
  log('population: 10,000 users and 1,000 steps through the API, once (a template data dir)');
  const population = await createPopulation();
  try {
    await run('ingest', 'bare node:http baseline, then steplog', () => ingestPhase(population));
    await run('mixed', 'single-event ingest while the loader drains a backlog, vs idle', () => mixedPhase(population));
  } finally {
    population.remove();
  }
}
await run('freshness', '5,000 events/s with a 1 s flush interval', freshnessPhase);
if (chosen.has('loader') || chosen.has('queries') || chosen.has('views')) {
  const adapters = await openAdapters();
  try {
    await run('loader', 'backlog vs direct chDB insert', () => loaderPhase(adapters));
    await run('queries', 'every mart, aggregates vs raw scan, by history size', () => queriesPhase(adapters));
    await run('views', 'insert into steplog.events with no view, each view alone, every view', () =>
      viewsPhase(adapters.warehouse),
    );
  } finally {
    await adapters.store.close();
    await adapters.warehouse.close();
    fs.rmSync(adapters.dir, { recursive: true, force: true });
  }
}

console.log(figureTable(figures));

const out = writeResults(figures, started);
log(`done; results in ${path.relative(process.cwd(), out)}`);
