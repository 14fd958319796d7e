import { afterAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/events/event.ts';
import { GroupCommitter } from '../../src/ingest/group-commit.ts';
import { OutboxTransport } from '../../src/queue/outbox/outbox-transport.ts';
import type { AppendResult } from '../../src/store/event-log.ts';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.ts';
import { generateEvents, uuidFor } from '../helpers/fixtures.ts';
import { tempDataDir } from '../helpers/server.ts';

const store = openSqliteStore(`${tempDataDir()}/steplog.sqlite`);
await store.migrate();
const { enqueue } = new OutboxTransport(store);
const append = (events: readonly NewEvent[]) => store.eventLog.appendEvents(events, enqueue);
await store.catalog.createUser({ id: 1, name: 'u', email: '', joinDate: 0, registrationDate: null });
await store.catalog.createTask({ id: 1, title: 't', text: '' });
afterAll(() => store.close());

/** Counts the transactions the committer opens by wrapping the real store. */
function countingStore() {
  const calls: number[] = [];
  return {
    calls,
    appendEvents: (events: readonly NewEvent[]): Promise<AppendResult[]> => {
      calls.push(events.length);
      return append(events);
    },
  };
}

describe('GroupCommitter', () => {
  it('commits concurrent requests in one transaction and answers each with its own results', async () => {
    const counting = countingStore();
    const committer = new GroupCommitter(counting, enqueue);
    const requests = Array.from({ length: 20 }, (_, i) => generateEvents(3, 1, 1, 100 + i));
    const answers = await Promise.all(requests.map((events) => committer.append(events)));
    expect(counting.calls).toEqual([60]);
    answers.forEach((results, i) => {
      expect(results.map((r) => r.ok && r.event.eventId)).toEqual(requests[i]!.map((e) => e.eventId));
    });
  });

  it('resolves the same event_id sent by racing requests to one stored event', async () => {
    const committer = new GroupCommitter(store.eventLog, enqueue);
    const event: NewEvent = { eventId: uuidFor(424242), time: 0, userId: 1, stepId: 1, actionId: 1 };
    const answers = (await Promise.all(Array.from({ length: 10 }, () => committer.append([event])))).flat();
    const ids = new Set(answers.map((a) => a.ok && a.event.id));
    expect(ids.size).toBe(1);
    expect(answers.filter((a) => a.ok && !a.duplicate)).toHaveLength(1);
  });

  it('caps a transaction at the configured number of events', async () => {
    const counting = countingStore();
    const committer = new GroupCommitter(counting, enqueue, 10);
    await Promise.all(Array.from({ length: 5 }, (_, i) => committer.append(generateEvents(4, 1, 1, 200 + i))));
    expect(counting.calls).toEqual([8, 8, 4]);
  });

  it('rejects every caller of a failed commit and keeps serving the next ones', async () => {
    let fail = true;
    const committer = new GroupCommitter(
      { appendEvents: (events) => (fail ? Promise.reject(new Error('disk I/O error')) : append(events)) },
      enqueue,
    );
    const failed = await Promise.allSettled([
      committer.append(generateEvents(1, 1, 1, 300)),
      committer.append(generateEvents(1, 1, 1, 301)),
    ]);
    expect(failed.map((f) => f.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect((await committer.append(generateEvents(1, 1, 1, 302)))[0]!.ok).toBe(true);
  });
});
