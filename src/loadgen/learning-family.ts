import type { ActionId } from '../events/event.ts';
import { planEvents, type PlannedEvent } from './behaviour.ts';
import type { LoadFamily, PackedEvent } from './family.ts';
import type { HttpClient } from './http-client.ts';
import { generatePopulation, type PlannedUser } from './population.ts';
import { random } from './random.ts';
import { createPopulation } from './setup.ts';
import { verifyDelivery } from './verify.ts';

export interface LearningShape {
  readonly events: number;
  readonly users: number;
  readonly tasks: number;
  readonly concurrency: number;
  /** Events per request; 1 uses POST /api/events, more POST /api/events/batch. */
  readonly batch: number;
  readonly seed: number;
}

interface BatchAnswer {
  results: ({ status: 'accepted' } | { status: 'rejected'; error: { error: string; message: string } })[];
}
export interface ErrorAnswer {
  error: string;
  message: string;
}

/** Learning events (the tasktracker seed's): users and tasks created first, then their events. */
export function learningFamily(shape: LearningShape): LoadFamily<PlannedEvent, readonly PlannedUser[]> {
  return {
    name: 'learning',
    batch: shape.batch,
    async plan(client, run) {
      const population = generatePopulation(random(shape.seed), { ...run, users: shape.users, tasks: shape.tasks });
      const stored = await createPopulation(client, population, shape.concurrency);
      const events = planEvents(random(shape.seed + 1), stored, { ...run, events: shape.events });
      return { events, context: stored.users };
    },
    send: (client, part) => (shape.batch === 1 ? sendOne(client, part[0]!).then((a) => [a]) : sendBatch(client, part)),
    pack: (e) => [e.eventId, e.time, e.userId, e.stepId, e.actionId],
    unpack: (row: PackedEvent) => {
      const [eventId, time, userId, stepId, actionId] = row as [string, number, number, number, ActionId];
      return { eventId, time, userId, stepId, actionId };
    },
    verify: verifyDelivery,
    sampleId: (e) => e.eventId,
  };
}

/** null when accepted, otherwise the error. */
async function sendOne(client: HttpClient, event: PlannedEvent): Promise<string | null> {
  const answer = await client.request<ErrorAnswer>('POST', '/api/events', toBody(event));
  return answer.status === 202 ? null : `${answer.status} ${answer.body.error}: ${answer.body.message}`;
}

async function sendBatch(client: HttpClient, events: readonly PlannedEvent[]): Promise<(string | null)[]> {
  const answer = await client.request<BatchAnswer & ErrorAnswer>('POST', '/api/events/batch', {
    events: events.map(toBody),
  });
  if (answer.status !== 202) return events.map(() => `${answer.status} ${answer.body.error}: ${answer.body.message}`);
  return answer.body.results.map((r) => (r.status === 'accepted' ? null : `${r.error.error}: ${r.error.message}`));
}

const toBody = (event: PlannedEvent) => ({
  event_id: event.eventId,
  time: new Date(event.time).toISOString(),
  user_id: event.userId,
  step_id: event.stepId,
  action_id: event.actionId,
});
