import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, runCli, startServer, tempDataDir, type ServerProcess } from '../helpers/server.ts';
import { startPrometheus, type PrometheusInstance, type Sample } from './servers/prometheus.ts';

const EVENTS = 3000;
const DEPLOY = path.resolve(import.meta.dirname, '../../deploy');
/** What Grafana puts for `$__rate_interval`: the test looks at the minutes just after the load. */
const RATE_INTERVAL = '2m';

interface Panel {
  readonly title: string;
  readonly targets: readonly { readonly expr: string; readonly legendFormat: string }[];
}
const dashboard = JSON.parse(fs.readFileSync(path.join(DEPLOY, 'grafana/dashboards/steplog.json'), 'utf8')) as {
  panels: Panel[];
};
const work = tempDataDir('steplog-prom-load-');
let server: ServerProcess;
let prometheus: PrometheusInstance;
let report: { sent: number; accepted: number; rejected: number; ok: boolean; retries: Record<string, number> };

/** Polls an instant query until `done` holds (Prometheus sees a scrape at most one interval late). */
async function until(promql: string, done: (samples: Sample[]) => boolean): Promise<Sample[]> {
  for (const deadline = Date.now() + 60_000; ;) {
    const samples = await prometheus.query(promql);
    if (done(samples)) return samples;
    if (Date.now() > deadline) throw new Error(`${promql}: still ${JSON.stringify(samples)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
const single = (samples: Sample[]) => (samples.length === 1 ? samples[0]!.value : NaN);

/** The dashboard's reader: a few marts, as the web dashboard asks for them. */
async function readMarts(): Promise<void> {
  for (const route of [
    '/api/marts/users-activity?days=7&date=2026-11-01',
    '/api/marts/funnel?from=2026-10-01&to=2026-11-30',
    '/api/stats/daily-users?from=2026-10-01&to=2026-11-30',
  ]) {
    expect((await api(server.url, 'GET', route)).status, route).toBe(200);
  }
}

beforeAll(async () => {
  // Loads every 3 s: the backlog is seen above 0 by some 1-s scrape, then drains.
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '3s' });
  const made = await runCli(['keys', 'create', '--scope', 'metrics', '--name', 'prometheus'], {
    STEPLOG_DATA_DIR: server.dataDir,
  });
  expect(made, made.stderr).toMatchObject({ code: 0 });
  prometheus = await startPrometheus({
    target: new URL(server.url).host,
    bearer: made.stdout.trim().split('\n').at(-1)!,
    ruleFiles: [path.join(DEPLOY, 'prometheus/alerts.yml')],
  });
  await until('up{job="steplog"}', (s) => single(s) === 1);
  const reportFile = path.join(work, 'report.json');
  const load = await runCli(
    [
      'load',
      '--url',
      server.url,
      '--events',
      String(EVENTS),
      '--users',
      '100',
      '--tasks',
      '10',
      '--days',
      '3',
      '--batch',
      '20',
      '--concurrency',
      '4',
      '--manifest',
      path.join(work, 'manifest.json'),
      '--json',
      reportFile,
    ],
    { STEPLOG_API_KEY: server.keys.admin },
  );
  expect(load.code, load.stdout + load.stderr).toBe(0);
  report = JSON.parse(fs.readFileSync(reportFile, 'utf8'));
});
afterAll(async () => {
  await prometheus?.stop();
  await server?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('a real Prometheus scraping steplog during `steplog load`', () => {
  it('scrapes /metrics with the metrics key', async () => {
    expect(await prometheus.targets()).toEqual([expect.objectContaining({ health: 'up', lastError: '' })]);
  });

  it('sees exactly the events the load had accepted, and as many rows loaded', async () => {
    expect(report).toMatchObject({ ok: true, sent: EVENTS, accepted: EVENTS, rejected: 0 });
    // The load sent each event once (no timeout retries), so a repeat cannot inflate the counter.
    expect(Object.values(report.retries).reduce((a, b) => a + b, 0)).toBe(0);
    await until('steplog_events_accepted_total{family="learning"}', (s) => single(s) === report.accepted);
    await until('steplog_loader_rows_total{family="learning"}', (s) => single(s) === report.accepted);
    expect(await prometheus.query('sum(steplog_events_rejected_total)')).toEqual([{ metric: {}, value: 0 }]);
  });

  it('saw the backlog grow during the load and return to 0', async () => {
    const peak = single(await prometheus.query('max_over_time(steplog_backlog_events{family="learning"}[10m])'));
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(EVENTS);
    await until('sum(steplog_backlog_events)', (s) => single(s) === 0);
    await until('max(steplog_backlog_oldest_age_seconds)', (s) => single(s) === 0);
    expect(
      single(await prometheus.query('max_over_time(steplog_backlog_oldest_age_seconds{family="learning"}[10m])')),
    ).toBeGreaterThan(0);
  });
});

describe('the Grafana dashboard (deploy/grafana) against that Prometheus', () => {
  it('has the panels the issue asks for', () => {
    const titles = dashboard.panels.map((panel) => panel.title).join('\n');
    for (const topic of [
      /accepted/,
      /rejected/,
      /p99/,
      /undelivered events/,
      /oldest/,
      /throughput/,
      /failures/,
      /Dead/,
      /Mart/,
    ]) {
      expect(titles).toMatch(topic);
    }
  });

  it('every panel query returns data after the load', async () => {
    await until('sum(steplog_backlog_events)', (s) => single(s) === 0);
    // A rate needs two scrapes of a series: the marts are read, scraped, and read again (a refresh).
    await readMarts();
    await until('steplog_mart_query_duration_seconds_count', (s) => s.length === 3);
    await readMarts();
    await until('sum(steplog_mart_query_duration_seconds_count)', (s) => single(s) === 8);
    // The same for ingest latency: a fast load can fall between two scrapes, leaving its
    // histogram one sample (no rate); one more batch after a scrape has seen the load's.
    // The loader too: its batches of the load may all precede the first scrape that saw them, and
    // the one event posted here is loaded (a new batch) after a scrape has seen theirs.
    const batches = 'sum(steplog_http_request_duration_seconds_count{route="/api/events/batch"})';
    const loaded = 'sum(steplog_loader_batches_total)';
    const before = single(await until(batches, (s) => single(s) > 0));
    const loadedBefore = single(await until(loaded, (s) => single(s) > 0));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const more = await api(server.url, 'POST', '/api/events/batch', {
      events: [{ user_id: 1, step_id: 1, action_id: 0 }],
    });
    expect(more.status).toBe(202);
    await until(batches, (s) => single(s) === before + 1);
    await until(loaded, (s) => single(s) === loadedBefore + 1);
    const results: Record<string, string[]> = {};
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) {
        const promql = target.expr.replaceAll('$__rate_interval', RATE_INTERVAL);
        const samples = await prometheus.query(promql);
        expect(samples.length, `${panel.title}: ${promql}`).toBeGreaterThan(0);
        expect(
          samples.some((sample) => Number.isFinite(sample.value)),
          `${panel.title}: ${promql} → ${JSON.stringify(samples)}`,
        ).toBe(true);
        results[`${panel.title} · ${promql}`] = samples.map(
          (sample) => `${JSON.stringify(sample.metric)} ${sample.value}`,
        );
      }
    }
    // The closing note of the issue shows some of these.
    console.log(JSON.stringify(results, null, 2));
  });

  it('loaded the alert rules, none firing after a healthy load', async () => {
    const rules = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as {
      data: { groups: { rules: { name: string; health: string; state: string }[] }[] };
    };
    const loaded = rules.data.groups.flatMap((group) => group.rules);
    expect(loaded.map((rule) => rule.name).sort()).toEqual([
      'SteplogBacklogTooOld',
      'SteplogDeadLetters',
      'SteplogDown',
      'SteplogLoadsFailing',
    ]);
    expect(
      loaded.every((rule) => rule.health === 'ok' && rule.state === 'inactive'),
      JSON.stringify(loaded),
    ).toBe(true);
  });
});
