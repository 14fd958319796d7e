import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LOAD_BYTES_PER_ROW, LOAD_FIXED_BYTES } from '../../src/config/memory-budget.ts';
import { Loader } from '../../src/loader/loader.ts';
import { generateEvents, openAdapters } from '../helpers/fixtures.ts';

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
const status = () => fs.readFileSync('/proc/self/status', 'utf8');
const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status())![1]) * 1024;

describe('the memory of a load', () => {
  it(`stays inside the budget for a batch of ${ROWS.toLocaleString('en')} rows`, async () => {
    for (let id = 1; id <= 1000; id++) {
      await store.catalog.createUser({
        name: `user ${id}`,
        email: `u${id}@example.com`,
        joinDate: 0,
        registrationDate: null,
      });
    }
    for (let id = 1; id <= 100; id++) await store.catalog.createTask({ title: `step ${id}`, text: '' });
    for (let i = 0; i < ROWS; i += 10_000) await append(generateEvents(10_000, 1000, 100, 1 + i / 10_000));
    const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: ROWS });

    fs.writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
    const before = kib('VmRSS');
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', rows: ROWS, batches: 1 });
    const peak = kib('VmHWM');
    expect(peak - before).toBeGreaterThan(0);
    expect(peak - before).toBeLessThanOrEqual(LOAD_FIXED_BYTES + ROWS * LOAD_BYTES_PER_ROW);
  });
});
