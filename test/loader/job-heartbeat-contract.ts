import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { JobHeartbeat } from '../../src/loader/job-heartbeat.ts';
import type { KyselyStore } from '../../src/store/kysely/kysely-store.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const log = pino({ level: 'silent' });

/**
 * Import jobs of loaders in several processes, on any store: `openTwo` opens the same database
 * twice, as two processes would (each store instance is a job owner of its own).
 */
export function jobHeartbeatContract(name: string, openTwo: () => Promise<readonly [KyselyStore, KyselyStore]>): void {
  describe(`${name}: import job heartbeats`, () => {
    it("a dead process's running job is failed by another process once its heartbeat is stale; a live one's never", async () => {
      const [a, b] = await openTwo();
      const timing = { intervalMs: 100, staleMs: 600, log };
      const [beatA, beatB] = [new JobHeartbeat(a.importJobs, timing), new JobHeartbeat(b.importJobs, timing)];
      try {
        const jobA = await a.importJobs.start('schedule');
        const jobB = await b.importJobs.start('manual');
        beatA.start();
        beatB.start();
        // Both alive for three stale periods: neither job is failed, however long it runs.
        await sleep(3 * timing.staleMs);
        expect((await b.importJobs.list(10)).map((j) => [j.id, j.status])).toEqual([
          [jobB.id, 'running'],
          [jobA.id, 'running'],
        ]);

        // A's process dies: its beats stop, its job stays 'running' until B finds it stale.
        await beatA.stop();
        const died = Date.now();
        await expect
          .poll(async () => (await b.importJobs.list(10)).find((j) => j.id === jobA.id)?.status, {
            timeout: 10 * timing.staleMs,
            interval: 20,
          })
          .toBe('failed');
        const failedAfter = Date.now() - died;
        expect(failedAfter).toBeGreaterThanOrEqual(timing.staleMs - 2 * timing.intervalMs);
        const [listedB, listedA] = await b.importJobs.list(10);
        expect(listedA).toMatchObject({ id: jobA.id, status: 'failed', error: expect.stringMatching(/^interrupted/) });
        expect(listedA!.finishedAt).not.toBeNull();
        // B's own job goes on.
        expect(listedB).toMatchObject({ id: jobB.id, status: 'running' });
      } finally {
        await beatA.stop();
        await beatB.stop();
        await a.close();
        await b.close();
      }
    });

    it('a process never fails its own running jobs, and a job it finished stays as it was saved', async () => {
      const [a, b] = await openTwo();
      try {
        const running = await a.importJobs.start('schedule');
        const done = await a.importJobs.start('manual');
        await a.importJobs.save({ ...done, status: 'succeeded', finishedAt: Date.now() });
        await sleep(20);
        expect(await a.importJobs.failStale('stale', Date.now())).toBe(0);
        expect(await b.importJobs.failStale('stale', Date.now())).toBe(1);
        expect((await a.importJobs.list(10)).map((j) => [j.id, j.status])).toEqual([
          [done.id, 'succeeded'],
          [running.id, 'failed'],
        ]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
