import crypto from 'node:crypto';
import { planEvents, type PlannedEvent } from './behaviour.ts';
import { HttpClient, type RetryReason } from './http-client.ts';
import { acceptedEvents, packEvent, readManifest, writeManifest, type Manifest } from './manifest.ts';
import { DAY_MS } from '../analytics/days.ts';
import { generatePopulation } from './population.ts';
import { random } from './random.ts';
import { isDeliveryProven, type LoadReport } from './report.ts';
import { sendEvents } from './send.ts';
import { createPopulation } from './setup.ts';
import { verifyDelivery } from './verify.ts';
import { VisibilitySampler } from './visibility.ts';
import { waitForLoad } from './wait-for-load.ts';

export interface LoadOptions {
  /** One server, or several api processes over one store: requests are spread over them. */
  readonly urls: readonly string[];
  /** An admin key: the run creates users and tasks, asks for loads and reads back names. */
  readonly apiKey: string | null;
  readonly events: number;
  readonly users: number;
  readonly tasks: number;
  readonly days: number;
  readonly concurrency: number;
  readonly batch: number;
  readonly seed: number;
  /** Where the manifest goes (default ./steplog-load-<run tag>.json). */
  readonly manifest?: string | undefined;
  /** One request's limit before it is sent again. */
  readonly timeoutMs: number;
  /** How long to wait for the server's own loads before asking for one. */
  readonly triggerAfterMs: number;
  readonly progress: boolean;
}

/** How long a request may stay unanswered (server restarting, warehouse down) before the run gives up. */
const GIVE_UP_MS = 120_000;
const LOAD_TIMEOUT_MS = 600_000;
const VISIBILITY_SAMPLES = 2_000;

/** Generates a population and its events, sends them, waits for the load, and verifies delivery. */
export async function runLoad(options: LoadOptions): Promise<{ report: LoadReport; manifestPath: string }> {
  const retries: Record<RetryReason, number> = { timeout: 0, network: 0, busy: 0, server: 0 };
  const client = new HttpClient({
    baseUrls: options.urls,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    giveUpAfterMs: GIVE_UP_MS,
    onRetry: (reason) => (retries[reason] += 1),
  });
  const runTag = crypto.randomBytes(4).toString('hex');
  const end = Math.floor(Date.now() / 1000) * 1000;
  const period = { start: end - options.days * DAY_MS, end };

  const population = generatePopulation(random(options.seed), {
    ...period,
    users: options.users,
    tasks: options.tasks,
  });
  const stored = await createPopulation(client, population, options.concurrency);
  const { users } = stored;
  const events = planEvents(random(options.seed + 1), stored, {
    ...period,
    events: options.events,
    runTag,
  });

  const sampler = new VisibilitySampler(
    new HttpClient({ baseUrls: options.urls, apiKey: options.apiKey, timeoutMs: options.timeoutMs, giveUpAfterMs: 0 }),
    Math.max(1, Math.floor(events.length / VISIBILITY_SAMPLES)),
  );
  sampler.start();
  const sent = await sendEvents(client, events, {
    concurrency: options.concurrency,
    batch: options.batch,
    progress: options.progress,
    retries: () => Object.values(retries).reduce((a, b) => a + b, 0),
    onAccepted: (event, ackedAt) => sampler.track(event.eventId, ackedAt),
  });
  await waitForLoad(client, options.triggerAfterMs, LOAD_TIMEOUT_MS);
  const visibility = await sampler.finish(5_000);

  const accepted: PlannedEvent[] = [];
  const rejections: string[] = [];
  sent.outcomes.forEach((outcome, i) => {
    if (outcome.status === 'accepted') accepted.push(events[i]!);
    else rejections.push(outcome.error);
  });
  const manifest: Manifest = {
    version: 1,
    urls: options.urls,
    runTag,
    createdAt: new Date().toISOString(),
    options: {
      events: options.events,
      users: options.users,
      tasks: options.tasks,
      days: options.days,
      concurrency: options.concurrency,
      batch: options.batch,
      seed: options.seed,
    },
    users,
    sent: events.length,
    rejected: rejections.length,
    rejections: rejections.slice(0, 10),
    ingest: { seconds: sent.seconds, retries },
    visibility,
    accepted: accepted.map(packEvent),
  };
  const manifestPath = options.manifest ?? `steplog-load-${runTag}.json`;
  writeManifest(manifestPath, manifest);
  return { report: await verifyManifest(manifest, options.urls, options.apiKey), manifestPath };
}

/** `--verify-only`: checks a finished run again from its manifest. */
export async function verifyOnly(
  manifestPath: string,
  urls: readonly string[],
  apiKey: string | null,
): Promise<LoadReport> {
  const manifest = readManifest(manifestPath);
  return verifyManifest(manifest, urls.length > 0 ? urls : manifest.urls, apiKey);
}

async function verifyManifest(manifest: Manifest, urls: readonly string[], apiKey: string | null): Promise<LoadReport> {
  const client = new HttpClient({ baseUrls: urls, apiKey, timeoutMs: 60_000, giveUpAfterMs: GIVE_UP_MS });
  const verification = await verifyDelivery(client, manifest.runTag, acceptedEvents(manifest), manifest.users);
  return {
    runTag: manifest.runTag,
    urls,
    sent: manifest.sent,
    accepted: manifest.accepted.length,
    rejected: manifest.rejected,
    rejections: manifest.rejections,
    ingestSeconds: manifest.ingest.seconds,
    ingestEventsPerSecond: Math.round(manifest.sent / Math.max(manifest.ingest.seconds, 0.001)),
    retries: manifest.ingest.retries,
    visibility: manifest.visibility,
    ...verification,
    ok: isDeliveryProven(verification),
  };
}
