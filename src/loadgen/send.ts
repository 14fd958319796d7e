import cliProgress from 'cli-progress';
import type { PlannedEvent } from './behaviour.ts';
import type { HttpClient } from './http-client.ts';
import { forEachConcurrently } from './pool.ts';

/** The server's answer to one event. */
export type Outcome =
  { readonly status: 'accepted'; readonly ackedAt: number } | { readonly status: 'rejected'; readonly error: string };

export interface SendOptions {
  readonly concurrency: number;
  /** Events per request; 1 sends each to POST /api/events, more go to POST /api/events/batch. */
  readonly batch: number;
  /** Told of every accepted event as its 2xx arrives. */
  readonly onAccepted?: (event: PlannedEvent, ackedAt: number) => void;
  /** Draws the progress bar (on a terminal). */
  readonly progress: boolean;
  /** Read when the bar redraws: requests repeated so far. */
  readonly retries: () => number;
}

interface BatchAnswer {
  results: ({ status: 'accepted' } | { status: 'rejected'; error: { error: string; message: string } })[];
}
interface ErrorAnswer {
  error: string;
  message: string;
}

/** Sends every event once answered (retries repeat the same event_ids); answers per event, in order. */
export async function sendEvents(client: HttpClient, events: readonly PlannedEvent[], options: SendOptions) {
  const outcomes = new Array<Outcome>(events.length);
  const chunks: number[] = [];
  for (let start = 0; start < events.length; start += options.batch) chunks.push(start);
  const bar = new cliProgress.SingleBar(
    {
      format:
        'sending |{bar}| {value}/{total} events | {speed} events/s | rejected {rejected} | retries {retries} | ETA {eta_formatted}',
      noTTYOutput: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  if (options.progress) bar.start(events.length, 0, { speed: 0, rejected: 0, retries: 0 });
  const started = Date.now();
  let done = 0;
  let rejected = 0;

  await forEachConcurrently(chunks, options.concurrency, async (start) => {
    const part = events.slice(start, start + options.batch);
    const answers = options.batch === 1 ? [await sendOne(client, part[0]!)] : await sendBatch(client, part);
    const ackedAt = Date.now();
    answers.forEach((answer, i) => {
      const event = part[i]!;
      if (answer === null) {
        outcomes[start + i] = { status: 'accepted', ackedAt };
        options.onAccepted?.(event, ackedAt);
      } else {
        outcomes[start + i] = { status: 'rejected', error: answer };
        rejected += 1;
      }
    });
    done += part.length;
    if (options.progress) {
      const seconds = (Date.now() - started) / 1000;
      bar.update(done, { speed: Math.round(done / Math.max(seconds, 0.001)), rejected, retries: options.retries() });
    }
  });
  if (options.progress) bar.stop();
  return { outcomes, seconds: (Date.now() - started) / 1000 };
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
