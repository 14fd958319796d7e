import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Loader } from '../src/loader/loader.ts';
import { generateEvents, openAdapters } from '../test/helpers/fixtures.ts';

/**
 * The memory of one load (the figures behind src/config/memory-budget.ts): a backlog of EVENTS
 * events loaded in batches of BATCH; prints the peak RSS (VmHWM) above the RSS before the load.
 * `node --import tsx bench/mem-probe.ts 100000 50000`
 */
const [events = 100_000, batch = 10_000] = process.argv.slice(2).map(Number);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steplog-mem-probe-'));
try {
  const { store, transport, append, warehouse } = await openAdapters(dir);
  for (let id = 1; id <= 1000; id++) {
    await store.catalog.createUser({
      name: `user ${id}`,
      email: `u${id}@example.com`,
      joinDate: 0,
      registrationDate: null,
    });
  }
  for (let id = 1; id <= 100; id++) await store.catalog.createTask({ title: `step ${id}`, text: '' });
  for (let i = 0; i < events; i += 10_000) await append(generateEvents(Math.min(10_000, events - i), 1000, 100, 1 + i));
  const kib = (field: string) =>
    Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]);
  fs.writeFileSync('/proc/self/clear_refs', '5');
  const before = kib('VmRSS');
  const job = await new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: batch }).run(
    'manual',
  );
  const peak = kib('VmHWM');
  console.log(
    JSON.stringify({ events, batch, status: job.status, beforeMiB: before >> 10, aboveMiB: (peak - before) >> 10 }),
  );
  await store.close();
  await warehouse.close();
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
