import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Loader } from '../src/loader/loader.ts';
import { openAdapters } from '../test/helpers/fixtures.ts';
import { peakRssAbove, queueBacklog } from '../test/helpers/load-memory.ts';

/**
 * The memory of one load (the figures behind src/config/memory-budget.ts): a backlog of EVENTS
 * events loaded in batches of BATCH; prints the peak RSS (VmHWM) above the RSS before the load.
 * `node --import tsx bench/mem-probe.ts 100000 50000`
 */
const [events = 100_000, batch = 10_000] = process.argv.slice(2).map(Number);
// Not `>> 20`: that is a 32-bit shift, negative from 2 GiB on.
const MiB = 1024 * 1024;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steplog-mem-probe-'));
try {
  const adapters = await openAdapters(dir);
  const { store, transport, warehouse } = adapters;
  await queueBacklog(adapters, events);
  const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: batch });
  const { result: job, beforeBytes, aboveBytes } = await peakRssAbove(() => loader.run('manual'));
  console.log(
    JSON.stringify({
      events,
      batch,
      status: job.status,
      beforeMiB: Math.round(beforeBytes / MiB),
      aboveMiB: Math.round(aboveBytes / MiB),
    }),
  );
  await store.close();
  await warehouse.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
