import crypto from 'node:crypto';
import { DAY_MS } from '../analytics/days.ts';
import type { GeneratedEvent, LoadFamily } from './family.ts';
import { HttpClient, type RetryReason } from './http-client.ts';
import { learningFamily } from './learning-family.ts';
import { readManifest, writeManifest, type Manifest } from './manifest.ts';
import { isDeliveryProven, type LoadReport } from './report.ts';
import { sendEvents } from './send.ts';
import { siteFamily, SITE_ROUTES, type SiteRoute } from './site/site-family.ts';
import { VisibilitySampler } from './visibility.ts';
import { waitForLoad } from './wait-for-load.ts';

export type FamilyName = 'learning' | 'site';
export const FAMILIES: readonly FamilyName[] = ['learning', 'site'];

/** What shapes a run's traffic; recorded in the manifest, so --verify-only rebuilds the same family. */
export interface TrafficOptions {
  readonly family: FamilyName;
  readonly events: number;
  /** Learning: users to create; site: visitors. */
  readonly users: number;
  readonly tasks: number;
  readonly products: number;
  readonly route: SiteRoute;
  readonly days: number;
  readonly concurrency: number;
  readonly batch: number;
  readonly seed: number;
}

export interface LoadOptions extends TrafficOptions {
  /** One server, or several api processes over one store: requests are spread over them. */
  readonly urls: readonly string[];
  /** An admin key: the run creates users and tasks, asks for loads and reads back what was stored. */
  readonly apiKey: string | null;
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

/** Hands the traffic's family to `use`, which works on any family's events alike. */
function withFamily<T>(traffic: TrafficOptions, use: <E extends GeneratedEvent, C>(family: LoadFamily<E, C>) => T): T {
  if (traffic.family === 'learning') return use(learningFamily(traffic));
  if (traffic.family !== 'site') throw new Error(`--family is one of ${FAMILIES.join(', ')}`);
  if (!SITE_ROUTES.includes(traffic.route)) throw new Error(`--route is one of ${SITE_ROUTES.join(', ')}`);
  return use(siteFamily({ ...traffic, visitors: traffic.users }));
}

/** Generates a family's events (and what they refer to), sends them, waits for the load, and verifies delivery. */
export const runLoad = (options: LoadOptions): Promise<{ report: LoadReport; manifestPath: string }> =>
  withFamily(options, (family) => runFamily(family, options));

async function runFamily<E extends GeneratedEvent, C>(
  family: LoadFamily<E, C>,
  options: LoadOptions,
): Promise<{ report: LoadReport; manifestPath: string }> {
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
  const { events, context } = await family.plan(client, { runTag, start: end - options.days * DAY_MS, end });

  const sampleId = family.sampleId;
  const sampler =
    sampleId === undefined
      ? undefined
      : new VisibilitySampler(
          new HttpClient({
            baseUrls: options.urls,
            apiKey: options.apiKey,
            timeoutMs: options.timeoutMs,
            giveUpAfterMs: 0,
          }),
          Math.max(1, Math.floor(events.length / VISIBILITY_SAMPLES)),
        );
  sampler?.start();
  const sent = await sendEvents(events, {
    concurrency: options.concurrency,
    batch: family.batch,
    send: (part) => family.send(client, part),
    progress: options.progress,
    retries: () => Object.values(retries).reduce((a, b) => a + b, 0),
    onAccepted: (event, ackedAt) => sampler?.track(sampleId!(event), ackedAt),
  });
  await waitForLoad(client, options.triggerAfterMs, LOAD_TIMEOUT_MS);
  const visibility = (await sampler?.finish(5_000)) ?? { sampled: 0, p50Ms: null, p95Ms: null, p99Ms: null };

  const accepted: E[] = [];
  const rejections: string[] = [];
  sent.outcomes.forEach((outcome, i) => {
    if (outcome.status === 'accepted') accepted.push(events[i]!);
    else rejections.push(outcome.error);
  });
  const manifest: Manifest = {
    version: 2,
    family: family.name,
    urls: options.urls,
    runTag,
    createdAt: new Date().toISOString(),
    options: trafficOf(options),
    context,
    sent: events.length,
    rejected: rejections.length,
    rejections: rejections.slice(0, 10),
    ingest: { seconds: sent.seconds, retries },
    visibility,
    accepted: accepted.map((e) => family.pack(e)),
  };
  const manifestPath = options.manifest ?? `steplog-load-${runTag}.json`;
  writeManifest(manifestPath, manifest);
  return { report: await verifyWith(family, manifest, options.urls, options.apiKey), manifestPath };
}

/** `--verify-only`: checks a finished run again from its manifest. */
export async function verifyOnly(
  manifestPath: string,
  urls: readonly string[],
  apiKey: string | null,
): Promise<LoadReport> {
  const manifest = readManifest(manifestPath);
  const traffic = manifest.options as unknown as TrafficOptions;
  return withFamily(traffic, (family) => verifyWith(family, manifest, urls.length > 0 ? urls : manifest.urls, apiKey));
}

const trafficOf = (o: TrafficOptions): Record<keyof TrafficOptions, number | string> => ({
  family: o.family,
  events: o.events,
  users: o.users,
  tasks: o.tasks,
  products: o.products,
  route: o.route,
  days: o.days,
  concurrency: o.concurrency,
  batch: o.batch,
  seed: o.seed,
});

async function verifyWith<E extends GeneratedEvent, C>(
  family: LoadFamily<E, C>,
  manifest: Manifest,
  urls: readonly string[],
  apiKey: string | null,
): Promise<LoadReport> {
  const client = new HttpClient({ baseUrls: urls, apiKey, timeoutMs: 60_000, giveUpAfterMs: GIVE_UP_MS });
  const accepted = manifest.accepted.map((row) => family.unpack(row));
  const verification = await family.verify(client, manifest.runTag, accepted, manifest.context as C);
  return {
    family: manifest.family,
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
