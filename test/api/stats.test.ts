import { afterAll, describe, expect, it } from 'vitest';
import { openApp } from '../helpers/app.ts';

const MINUTE = 60_000;
const { runtime, app, authorization, close } = await openApp();
afterAll(close);

describe('GET /api/stats/ingest', () => {
  it('counts the rows of every job that finished in the hour, past 1,000 jobs (about 25 a minute)', async () => {
    const now = Date.now();
    // 1,500 jobs finishing from 57 to 2 minutes ago, job k loading k % 7 rows and k % 3 reconciled,
    // and 50 that finished before the hour (not counted).
    const loadedBy = new Map<number, number>();
    for (let k = 0; k < 1550; k++) {
      const job = await runtime.store.importJobs.start('schedule');
      const finishedAt = k < 50 ? now - 2 * 3600_000 + k : now - 57 * MINUTE + (k - 50) * 2200;
      await runtime.store.importJobs.save({ ...job, finishedAt, status: 'succeeded', rows: k % 7, reconciled: k % 3 });
      if (k < 50) continue;
      const minute = Math.floor(finishedAt / MINUTE) * MINUTE;
      loadedBy.set(minute, (loadedBy.get(minute) ?? 0) + (k % 7) + (k % 3));
    }
    const answer = await app.inject({ method: 'GET', url: '/api/stats/ingest', headers: { authorization } });
    expect(answer.statusCode).toBe(200);
    const minutes = answer.json().minutes as { minute: string; loaded: number }[];
    expect(minutes).toHaveLength(60);
    const expected = [...loadedBy.values()].reduce((a, b) => a + b, 0);
    expect(minutes.reduce((sum, m) => sum + m.loaded, 0)).toBe(expected);
    for (const m of minutes) expect(m.loaded, m.minute).toBe(loadedBy.get(Date.parse(m.minute)) ?? 0);
  });
});
