import fs from 'node:fs';
import { generateEvents, type openAdapters } from './fixtures.ts';

type Adapters = Awaited<ReturnType<typeof openAdapters>>;

/** 1,000 users, 100 steps and a backlog of `events` events over them, committed 10,000 at a time. */
export async function queueBacklog({ store, append }: Pick<Adapters, 'store' | 'append'>, events: number) {
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
}

const kib = (field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]);

/** Runs `work` and answers, with its result, how far this process's peak RSS rose above its RSS before. */
export async function peakRssAbove<T>(
  work: () => Promise<T>,
): Promise<{ result: T; beforeBytes: number; aboveBytes: number }> {
  fs.writeFileSync('/proc/self/clear_refs', '5'); // resets VmHWM to the current RSS
  const before = kib('VmRSS');
  const result = await work();
  return { result, beforeBytes: before * 1024, aboveBytes: (kib('VmHWM') - before) * 1024 };
}
