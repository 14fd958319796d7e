import { describe, expect, it } from 'vitest';
import { ingestHistory } from '../../src/ingest/ingest-history.ts';
import type { ImportJob } from '../../src/store/import-jobs.ts';

const MIN = 60_000;
const now = Date.UTC(2026, 10, 1, 12, 0, 30);
const minute = (ago: number) => Date.UTC(2026, 10, 1, 12, 0) - ago * MIN;
const job = (finishedAt: number | null, rows: number): ImportJob => ({
  id: 1,
  trigger: 'manual',
  startedAt: (finishedAt ?? now) - 100,
  finishedAt,
  status: 'succeeded',
  rows,
  batches: 1,
  reconciled: 0,
  deadLettered: 0,
  error: null,
});

describe('ingestHistory', () => {
  it('walks the backlog back from its current size through arrivals and loads', () => {
    const received = [
      { minute: minute(3), events: 10 },
      { minute: minute(1), events: 5 },
    ];
    // 10 arrive at -3, 8 are loaded at -2, 5 arrive at -1: 7 wait now.
    const history = ingestHistory(now, 4, received, [job(minute(2) + 5_000, 8), job(null, 0)], 7);
    expect(history).toEqual([
      { minute: minute(3), received: 10, loaded: 0, backlog: 10 },
      { minute: minute(2), received: 0, loaded: 8, backlog: 2 },
      { minute: minute(1), received: 5, loaded: 0, backlog: 7 },
      { minute: minute(0), received: 0, loaded: 0, backlog: 7 },
    ]);
  });

  it('ignores jobs that finished before the window', () => {
    const history = ingestHistory(now, 2, [], [job(minute(5), 100)], 0);
    expect(history.map((m) => m.loaded)).toEqual([0, 0]);
  });
});
