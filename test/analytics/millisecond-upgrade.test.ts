import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stepDifficulty } from '../../src/analytics/step-difficulty.ts';
import { ChdbWarehouse } from '../../src/warehouse/drivers/chdb/chdb-warehouse.ts';
import { WarehouseMigrator } from '../../src/warehouse/migrator.ts';
import { tempDataDir } from '../helpers/server.ts';

const MIGRATIONS = fileURLToPath(new URL('../../src/warehouse/migrations/', import.meta.url));
const dir = tempDataDir();
const warehouse = ChdbWarehouse.open(path.join(dir, 'clickhouse'));
afterAll(() => warehouse.close());

/** A row as loaders wrote them before migration 0008: whole seconds, no time_ms. */
const oldRow = (n: number, time: string, action: number) => ({
  event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  time,
  user_id: 1,
  join_date: '2026-10-01 00:00:00',
  registration_date: null,
  name: 'Ann',
  email: '',
  is_guest: 1,
  step_id: 1,
  action_id: action,
  received_at: time,
});

describe('migrations 0008–0010 on a warehouse holding whole-second events', () => {
  it('keep old rows at whole seconds, refill step_progress, and take milliseconds from then on', async () => {
    const before = path.join(dir, 'migrations-0001-0007/');
    fs.mkdirSync(before);
    for (const file of fs.readdirSync(MIGRATIONS).filter((f) => f < '0008')) {
      fs.copyFileSync(path.join(MIGRATIONS, file), path.join(before, file));
    }
    expect((await new WarehouseMigrator(warehouse, { dir: before }).up()).map((m) => m.version)).toEqual([
      1, 2, 3, 4, 5, 6, 7,
    ]);
    await warehouse.insert('steplog.events', [
      oldRow(1, '2026-10-20 12:00:00', 0),
      oldRow(2, '2026-10-20 12:00:03', 2),
    ]);

    const applied = await new WarehouseMigrator(warehouse).up();
    // 0008–0010 first; later migrations (the site tables) follow them.
    expect(applied.map((m) => m.name).slice(0, 3)).toEqual([
      'event_time_ms',
      'step_progress_ms',
      'step_progress_deduplication',
    ]);
    const rows = await warehouse.query<{ time_ms: string }>('SELECT time_ms FROM steplog.events ORDER BY time_ms');
    expect(rows.map((r) => Number(r.time_ms))).toEqual([Date.UTC(2026, 9, 20, 12), Date.UTC(2026, 9, 20, 12, 0, 3)]);
    const oct20 = { from: '2026-10-20', to: '2026-10-20' };
    expect((await stepDifficulty(warehouse, oct20))[0]).toMatchObject({ solves: 1, median_seconds_to_solve: 3 });

    // A new load writes time_ms: step 2 is viewed at :00.900 and solved at :01.100.
    await warehouse.insert('steplog.events', [
      { ...oldRow(3, '2026-10-20 13:00:00', 0), step_id: 2, time_ms: Date.UTC(2026, 9, 20, 13, 0, 0, 900) },
      { ...oldRow(4, '2026-10-20 13:00:01', 2), step_id: 2, time_ms: Date.UTC(2026, 9, 20, 13, 0, 1, 100) },
    ]);
    expect((await stepDifficulty(warehouse, oct20))[1]).toMatchObject({ step_id: 2, median_seconds_to_solve: 0.2 });
  });
});
