import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createUserAndStep, runCli, type ServerProcess } from '../helpers/server.ts';
import { startServerWithAdmin, WebClient } from '../helpers/web-client.ts';

const PASSWORD = 'correct horse battery';
let server: ServerProcess;
let metricsKey: string;

/** One sample's value from the text exposition format; 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = match[2]?.split(/,(?=\w+=)/) ?? [];
    if (wanted.every((label) => have.includes(label))) return Number(match[3]);
  }
  return 0;
}

async function scrape(key: string | null = metricsKey): Promise<{ status: number; text: string; type: string }> {
  const response = await fetch(`${server.url}/metrics`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  return { status: response.status, text: await response.text(), type: response.headers.get('content-type') ?? '' };
}

beforeAll(async () => {
  server = await startServerWithAdmin({ STEPLOG_FLUSH_INTERVAL: '1h' }, PASSWORD);
  const made = await runCli(['keys', 'create', '--scope', 'metrics', '--name', 'prometheus'], {
    STEPLOG_DATA_DIR: server.dataDir,
  });
  expect(made, made.stderr).toMatchObject({ code: 0 });
  metricsKey = made.stdout.trim().split('\n').at(-1)!;
  expect(metricsKey).toMatch(/^sl_metrics_[\w-]{43}$/);
  await createUserAndStep(server.url);
});
afterAll(() => server?.stop());

describe('/metrics', () => {
  it('answers the Prometheus text format to a metrics key (or admin) only', async () => {
    const scraped = await scrape();
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain('text/plain');
    expect(scraped.text).toContain('# TYPE steplog_events_accepted_total counter');
    expect(scraped.text).toContain('process_cpu_seconds_total');
    expect((await scrape(server.keys.admin)).status).toBe(200);
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape(server.keys.ingest)).status).toBe(403);
    // A metrics key reads nothing else.
    expect((await api(server.url, 'GET', '/api/stats/ingest', undefined, metricsKey)).status).toBe(403);
  });

  it('counts the events ingest accepted and refused, by reason, by exactly what was sent', async () => {
    const before = (await scrape()).text;
    const ingest = server.keys.ingest;
    const event = { user_id: 1, step_id: 1, action_id: 0 };
    for (let i = 0; i < 3; i++) expect((await api(server.url, 'POST', '/api/events', event, ingest)).status).toBe(202);
    // A batch of 5 valid, 2 invalid (a field out of range) and 1 for a user that does not exist.
    const batch = [
      ...Array.from({ length: 5 }, () => event),
      { ...event, action_id: 7 },
      { ...event, action_id: -1 },
      { ...event, user_id: 999 },
    ];
    const answer = await api(server.url, 'POST', '/api/events/batch', { events: batch }, ingest);
    expect(answer.body).toMatchObject({ accepted: 5, rejected: 3 });
    // Refused before the handler: a schema failure, malformed JSON, and a repeat (accepted again).
    expect((await api(server.url, 'POST', '/api/events', { ...event, extra: 1 }, ingest)).status).toBe(400);
    expect((await api(server.url, 'POST', '/api/events', '{"user_id":', ingest)).status).toBe(400);
    const after = (await scrape()).text;
    const moved = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    expect(moved('steplog_events_accepted_total', { family: 'learning' })).toBe(8);
    expect(moved('steplog_events_rejected_total', { family: 'learning', reason: 'validation' })).toBe(3);
    expect(moved('steplog_events_rejected_total', { family: 'learning', reason: 'unknown_reference' })).toBe(1);
    expect(moved('steplog_events_rejected_total', { family: 'learning', reason: 'malformed_json' })).toBe(1);
    // Request durations are labelled by route pattern, never by URL.
    expect(
      moved('steplog_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/events',
        status_code: '202',
      }),
    ).toBe(3);
    await api(server.url, 'GET', '/api/users/1');
    expect(
      sample((await scrape()).text, 'steplog_http_request_duration_seconds_count', { route: '/api/users/:id' }),
    ).toBe(1);
  });

  it('reads the backlog at scrape, and counts the loader batches and rows, each family under its label', async () => {
    const site = Array.from({ length: 5 }, (_, i) => ({
      dt: new Date(Date.now() - i * 60_000).toISOString(),
      name: 'view',
      user_id: 40 + i,
      url: 'https://shop.example/',
      obj: 'page',
    }));
    const sent = await api(server.url, 'POST', '/api/site-events/batch', { events: site }, server.keys.ingest);
    expect(sent.body).toMatchObject({ accepted: 5 });
    const before = (await scrape()).text;
    const learning = { family: 'learning' };
    const ofSite = { family: 'site' };
    expect(sample(before, 'steplog_backlog_events', learning)).toBe(8);
    expect(sample(before, 'steplog_backlog_events', ofSite)).toBe(5);
    expect(sample(before, 'steplog_backlog_oldest_age_seconds', learning)).toBeGreaterThan(0);
    expect(sample(before, 'steplog_backlog_oldest_age_seconds', ofSite)).toBeGreaterThanOrEqual(0);
    const { minutes } = (await api(server.url, 'GET', '/api/stats/ingest')).body;
    const received = (family: 'learning' | 'site') =>
      minutes.reduce(
        (sum: number, m: { received_by_family: Record<typeof family, number> }) => sum + m.received_by_family[family],
        0,
      );
    expect([received('learning'), received('site')]).toEqual([8, 5]);
    expect(minutes.at(-1).backlog).toBe(13);

    const job = (await api(server.url, 'POST', '/api/imports')).body;
    expect(job).toMatchObject({ status: 'succeeded', rows: 13 });
    const after = (await scrape()).text;
    const moved = (name: string, labels: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    for (const family of [learning, ofSite]) {
      expect(sample(after, 'steplog_backlog_events', family)).toBe(0);
      expect(sample(after, 'steplog_backlog_oldest_age_seconds', family)).toBe(0);
      expect(moved('steplog_loader_batches_total', family)).toBe(1);
      expect(sample(after, 'steplog_loader_batch_duration_seconds_count', family)).toBe(1);
    }
    expect(moved('steplog_loader_rows_total', learning)).toBe(8);
    expect(moved('steplog_loader_rows_total', ofSite)).toBe(5);
    expect(sample(after, 'steplog_loader_runs_total', { status: 'succeeded' })).toBe(1);
    expect(sample(after, 'steplog_loader_runs_total', { status: 'failed' })).toBe(0);
    expect(sample(after, 'steplog_dead_letters')).toBe(0);
    expect((await api(server.url, 'GET', '/api/stats/ingest')).body.minutes.at(-1).backlog).toBe(0);
  });

  it('times the warehouse queries of each mart', async () => {
    const route = '/api/marts/users-activity?days=7&date=2026-11-01';
    expect((await api(server.url, 'GET', route)).status).toBe(200);
    const text = (await scrape()).text;
    // users-activity runs two queries (the activity figures and the new users).
    expect(sample(text, 'steplog_mart_query_duration_seconds_count', { mart: 'marts/users-activity' })).toBe(2);
  });

  it('counts admin logins, ok and refused', async () => {
    const before = (await scrape()).text;
    expect((await new WebClient(server.url, PASSWORD).logIn()).status).toBe(303);
    expect((await new WebClient(server.url, PASSWORD).logIn('wrong password')).status).toBe(401);
    expect((await new WebClient(server.url, PASSWORD).logIn('wrong again')).status).toBe(401);
    const after = (await scrape()).text;
    const moved = (result: string) =>
      sample(after, 'steplog_admin_logins_total', { result }) -
      sample(before, 'steplog_admin_logins_total', { result });
    expect(moved('ok')).toBe(1);
    expect(moved('refused')).toBe(2);
  });
});
