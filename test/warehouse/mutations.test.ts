import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { deleteRows, MutationTimeoutError } from '../../src/warehouse/mutations.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';
import { intercept } from '../helpers/warehouse-wrappers.ts';
import { tempDataDir } from '../helpers/server.ts';

const warehouse = ChdbWarehouse.open(path.join(tempDataDir(), 'clickhouse'));
/** The same engine as ClickHouse 18.16 sees it: system.mutations says nothing about why one is stuck. */
const withoutFailReason: Warehouse = {
  ...intercept(warehouse, {}),
  capabilities: { ...warehouse.capabilities, mutationFailReason: false },
};
/** A row condition that throws when the mutation reaches the rows: the mutation fails on every try. */
const FAILS_ON_EVERY_TRY = 'throwIf(n > 0) = 1';
const count = async () =>
  Number((await warehouse.query<{ c: string }>('SELECT count() AS c FROM steplog.mutation_probe'))[0]!.c);
const unfinished = async () =>
  Number(
    (
      await warehouse.query<{ c: string }>(
        "SELECT count() AS c FROM system.mutations WHERE database = 'steplog' AND table = 'mutation_probe' AND is_done = 0",
      )
    )[0]!.c,
  );

beforeAll(async () => {
  await warehouse.exec('CREATE DATABASE IF NOT EXISTS steplog');
  await warehouse.exec('CREATE TABLE steplog.mutation_probe (n UInt32) ENGINE = MergeTree ORDER BY n');
  await warehouse.exec('INSERT INTO steplog.mutation_probe SELECT number FROM numbers(100)');
});
afterAll(() => warehouse.close());

describe('deleteRows (ALTER TABLE … DELETE, waited for)', () => {
  it('waits until the rows are gone', async () => {
    await deleteRows(warehouse, 'mutation_probe', 'n < 10', 10_000);
    expect(await count()).toBe(90);
  });

  it('fails with the engine’s reason where it records one', async () => {
    await expect(deleteRows(warehouse, 'mutation_probe', FAILS_ON_EVERY_TRY, 10_000)).rejects.toThrow(
      /deleting from mutation_probe failed: .*FUNCTION_THROW_IF_VALUE_IS_NON_ZERO/,
    );
    await warehouse.exec("KILL MUTATION WHERE database = 'steplog' AND table = 'mutation_probe'");
  });

  it('fails within the bound where the engine does not say why (18.16), and kills the stuck mutation', async () => {
    const started = Date.now();
    const failure = await deleteRows(withoutFailReason, 'mutation_probe', FAILS_ON_EVERY_TRY, 1_000).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(MutationTimeoutError);
    expect((failure as Error).message).toMatch(
      /^deleting from steplog\.mutation_probe did not finish within 1000 ms \(STEPLOG_MUTATION_TIMEOUT; mutations mutation_\d+\.txt\); the operation stopped and can be run again: the mutations were killed$/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await unfinished()).toBe(0);
    // Nothing stuck holds the next mutation of the table back.
    await deleteRows(withoutFailReason, 'mutation_probe', 'n < 20', 10_000);
    expect(await count()).toBe(80);
  }, 20_000);
});
