import cliProgress from 'cli-progress';
import { forEachConcurrently } from './pool.ts';

/** The server's answer to one event. */
export type Outcome =
  { readonly status: 'accepted'; readonly ackedAt: number } | { readonly status: 'rejected'; readonly error: string };

export interface SendOptions<E> {
  readonly concurrency: number;
  /** Events per request. */
  readonly batch: number;
  /** Sends one request's events; per event null when accepted, else the error. */
  readonly send: (part: readonly E[]) => Promise<(string | null)[]>;
  /** Told of every accepted event as its 2xx arrives. */
  readonly onAccepted?: (event: E, ackedAt: number) => void;
  /** Draws the progress bar (on a terminal). */
  readonly progress: boolean;
  /** Read when the bar redraws: requests repeated so far. */
  readonly retries: () => number;
}

/** Sends every event once answered (retries repeat the same bodies); answers per event, in order. */
export async function sendEvents<E>(events: readonly E[], options: SendOptions<E>) {
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
    const answers = await options.send(part);
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
