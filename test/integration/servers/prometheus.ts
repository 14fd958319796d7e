import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, tempDataDir } from '../../helpers/server.ts';
import { requireBinary } from './require-binary.ts';

export const PROMETHEUS_BIN = ['/usr/bin/prometheus'];
export const PROMTOOL_BIN = ['/usr/bin/promtool'];

export interface PrometheusOptions {
  /** host:port of the steplog to scrape. */
  readonly target: string;
  /** A `metrics` key, sent as the bearer token (from a file, as a deployment would). */
  readonly bearer: string;
  readonly scrapeIntervalSeconds?: number;
  /** Alerting and recording rule files Prometheus loads (and must accept). */
  readonly ruleFiles?: readonly string[];
}

/** One series of an instant query: its labels and value. */
export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface PrometheusInstance {
  readonly url: string;
  /** Evaluates PromQL now (`/api/v1/query`); a query error throws with Prometheus' message. */
  query(promql: string): Promise<Sample[]>;
  /** What Prometheus reports of its scrape targets (`/api/v1/targets`). */
  targets(): Promise<{ health: string; lastError: string }[]>;
  output(): string;
  stop(): Promise<void>;
}

/**
 * A private Prometheus (Debian's `prometheus` package) on a free loopback port, with its own
 * config, TSDB directory and a short scrape interval; never the package's service.
 */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusInstance> {
  const binary = requireBinary(PROMETHEUS_BIN, 'prometheus');
  const dir = tempDataDir('steplog-prometheus-');
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const credentials = path.join(dir, 'metrics-key');
  fs.writeFileSync(credentials, options.bearer, { mode: 0o600 });
  // JSON is YAML: the config needs no YAML library.
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    rule_files: options.ruleFiles ?? [],
    scrape_configs: [
      {
        job_name: 'steplog',
        metrics_path: '/metrics',
        authorization: { type: 'Bearer', credentials_file: credentials },
        static_configs: [{ targets: [options.target] }],
      },
    ],
  };
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, JSON.stringify(config, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.console.templates=',
      '--web.console.libraries=',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  for (const deadline = Date.now() + 30_000; ;) {
    if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}:\n${output}`);
    const ready = await fetch(`${url}/-/ready`).catch(() => undefined);
    if (ready?.ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`prometheus did not start within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  async function api<T>(route: string): Promise<T> {
    const response = await fetch(`${url}${route}`);
    const body = (await response.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${route}: ${body.error ?? response.status}`);
    return body.data;
  }

  return {
    url,
    output: () => output,
    async query(promql) {
      const data = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      return data.result.map(({ metric, value }) => ({ metric, value: Number(value[1]) }));
    },
    async targets() {
      return (await api<{ activeTargets: { health: string; lastError: string }[] }>('/api/v1/targets')).activeTargets;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
