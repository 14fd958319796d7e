import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { insertBlocks } from '../../src/loader/blocks.ts';
import { toDateTime, toEpochSeconds, utcDayPrefix } from '../../src/loader/warehouse-time.ts';

/** Instants a DateTime holds (1970 to 2105), in epoch ms. */
const instant = fc.integer({ min: 0, max: 4_291_747_199_000 });

describe('DateTime values the loader sends', () => {
  it('epoch seconds are the instant the DateTime text names', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        expect(toEpochSeconds(ms) * 1000).toBe(Date.parse(`${toDateTime(ms).replace(' ', 'T')}Z`));
      }),
    );
  });

  it("a row's month and day are those of its UTC date", () => {
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 50 }), (times) => {
        const monthOf = utcDayPrefix(7);
        const dayOf = utcDayPrefix(10);
        for (const ms of times) {
          const iso = new Date(ms).toISOString();
          expect([monthOf(toEpochSeconds(ms)), dayOf(toEpochSeconds(ms))]).toEqual([iso.slice(0, 7), iso.slice(0, 10)]);
        }
      }),
    );
  });

  it('cuts a batch into one block per month, the last second of a month apart from the first of the next', () => {
    const row = (iso: string) => ({ event_id: iso, time: toEpochSeconds(Date.parse(iso)) });
    const rows = [row('2026-02-01T00:00:00Z'), row('2026-01-31T23:59:59Z'), row('2026-02-28T12:00:00Z')];
    expect(insertBlocks('t', rows)).toEqual([
      { token: 't/m2026-01', rows: [rows[1]] },
      { token: 't/m2026-02', rows: [rows[0], rows[2]] },
    ]);
  });

  it("cuts a month's block larger than an insert into pieces, each under a token of its own", () => {
    const row = (iso: string) => ({ event_id: iso, time: toEpochSeconds(Date.parse(iso)) });
    const rows = ['01', '02', '03', '04', '05'].map((day) => row(`2026-03-${day}T00:00:00Z`));
    expect(insertBlocks('t', rows, 2)).toEqual([
      { token: 't/r0', rows: rows.slice(0, 2) },
      { token: 't/r2', rows: rows.slice(2, 4) },
      { token: 't/r4', rows: rows.slice(4) },
    ]);
    expect(insertBlocks('t', [row('2026-02-28T00:00:00Z'), ...rows], 3).map((block) => block.token)).toEqual([
      't/m2026-02',
      't/m2026-03/r0',
      't/m2026-03/r3',
    ]);
  });
});
