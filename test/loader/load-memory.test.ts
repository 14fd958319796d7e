import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_BYTES_PER_ROW, LOAD_FIXED_BYTES } from '../../src/config/memory-budget.ts';
import { Loader } from '../../src/loader/loader.ts';
import { openAdapters } from '../helpers/fixtures.ts';
import { peakRssAbove, queueBacklog } from '../helpers/load-memory.ts';

/**
 * The load share of STEPLOG_MEMORY_LIMIT's budget, measured: a load of several full batches takes
 * the process's peak RSS (VmHWM, reset before the load) no further above its resident size before
 * the load than LOAD_FIXED_BYTES + batch size × LOAD_BYTES_PER_ROW. Three batches, so that the
 * loader holds two at once (it forms the next while the current one inserts) with the garbage of
 * one before them; at this size a load that inserted a whole batch at once went past the budget.
 */
const { store, transport, append, warehouse } = await openAdapters();
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

const BATCH = 100_000;
const BATCHES = 3;
const MiB = 1024 * 1024;

describe('the memory of a load', () => {
  it(`stays inside the budget for ${BATCHES} batches of ${BATCH.toLocaleString('en')} rows`, async () => {
    await queueBacklog({ store, append }, BATCHES * BATCH);
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: BATCH });
    const { result: job, aboveBytes } = await peakRssAbove(() => loader.run('manual'));
    expect(job).toMatchObject({ status: 'succeeded', rows: BATCHES * BATCH, batches: BATCHES });
    expect(aboveBytes).toBeGreaterThan(0);
    // In MiB, so that a failure reads as the peak against the budget.
    expect(Math.ceil(aboveBytes / MiB)).toBeLessThanOrEqual((LOAD_FIXED_BYTES + BATCH * LOAD_BYTES_PER_ROW) / MiB);
  });
});
