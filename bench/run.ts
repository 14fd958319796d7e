import fs from 'node:fs';
import path from 'node:path';
import Table from 'cli-table3';
import { openAdapters } from '../test/helpers/fixtures.ts';
import { freshnessPhase } from './phases/freshness.ts';
import { ingestPhase } from './phases/ingest.ts';
import { loaderPhase } from './phases/loader.ts';
import { queriesPhase } from './phases/queries.ts';
import { viewsPhase } from './phases/views.ts';
import { ratio, round, type Figure } from './lib/report.ts';

/** `npm run bench`: every phase, a table on the terminal and bench/results/<date>.json. */
const started = Date.now();
const figures: Figure[] = [];
const log = (message: string) => console.error(`[bench +${round((Date.now() - started) / 1000)} s] ${message}`);

log('ingest: bare node:http baseline, then steplog');
figures.push(...(await ingestPhase()));
log('freshness: 5,000 events/s with a 1 s flush interval');
figures.push(...(await freshnessPhase()));
log('loader: backlog vs direct chDB insert');
const adapters = await openAdapters();
try {
  figures.push(...(await loaderPhase(adapters)));
  log('queries: daily users and marts, aggregates vs raw scan');
  figures.push(...(await queriesPhase(adapters)));
  log('views: insert into steplog.events with no view, each view alone, every view');
  figures.push(...(await viewsPhase(adapters.warehouse)));
} finally {
  await adapters.store.close();
  await adapters.warehouse.close();
  fs.rmSync(adapters.dir, { recursive: true, force: true });
}

const table = new Table({
  head: ['phase', 'measure', 'steplog', 'baseline', 'ratio', 'target', 'peak RSS', 'load avg', 'note'],
});
for (const f of figures) {
  const r = ratio(f);
  table.push([
    f.phase,
    f.measure,
    `${f.steplog.toLocaleString('en')} ${f.unit}`,
    f.baseline === undefined ? '' : f.baseline.toLocaleString('en'),
    r === undefined ? '' : r.toFixed(2),
    f.target ?? '',
    f.peakRssMiB === undefined ? '' : `${f.peakRssMiB} MiB`,
    f.loadAverage === undefined ? '' : String(f.loadAverage),
    f.note ?? '',
  ]);
}
console.log(table.toString());

const out = path.join(
  import.meta.dirname,
  'results',
  `${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.json`,
);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(
  out,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      seconds: round((Date.now() - started) / 1000),
      // The knobs this run used (unset: the published defaults), so a short run is never mistaken for one.
      scale: Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BENCH_'))),
      figures,
    },
    null,
    2,
  ),
);
log(`done; results in ${path.relative(process.cwd(), out)}`);
