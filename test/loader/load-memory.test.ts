import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_BYTES_PER_ROW, LOAD_FIXED_BYTES } from '../../src/config/memory-budget.ts';
import { Loader } from '../../src/loader/loader.ts';
import { openAdapters } from '../helpers/fixtures.ts';
import { peakRssAbove, queueBacklog } from '../helpers/load-memory.ts';

/**
 * The load share of STEPLOG_MEMORY_LIMIT's budget, measured: one load of a whole batch takes the
 * process's peak RSS (VmHWM, reset before the load) no further above its resident size before
 * the load than LOAD_FIXED_BYTES + rows × LOAD_BYTES_PER_ROW.
 */
const { store, transport, append, warehouse } = await openAdapters();
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

const ROWS = 40_000;

describe('the memory of a load', () => {
  it(`stays inside the budget for a batch of ${ROWS.toLocaleString('en')} rows`, async () => {
    await queueBacklog({ store, append }, ROWS);
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: ROWS });
    const { result: job, aboveBytes } = await peakRssAbove(() => loader.run('manual'));
    expect(job).toMatchObject({ status: 'succeeded', rows: ROWS, batches: 1 });
    expect(aboveBytes).toBeGreaterThan(0);
    expect(aboveBytes).toBeLessThanOrEqual(LOAD_FIXED_BYTES + ROWS * LOAD_BYTES_PER_ROW);
  });
});
