import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/steplog.js');
const SERVE_WITH_OUTAGE = path.join(ROOT, 'test/helpers/serve-with-outage.ts');

/** The keys a data dir's first start made (`api-keys.env`). */
export interface FirstKeys {
  readonly admin: string;
  readonly ingest: string;
}

/** A real `steplog serve` process on a temp data dir and a free port. */
export interface ServerProcess {
  readonly url: string;
  readonly dataDir: string;
  readonly keys: FirstKeys;
  readonly child: ChildProcess;
  /** Everything the process printed, for assertions and for failure messages. */
  output(): string;
  /** Sends a signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function tempDataDir(prefix = 'steplog-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs the CLI to completion, with `input` on its stdin, and returns its exit code and output. */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  input = '',
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, cwd: ROOT });
  child.stdin.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, stdout, stderr };
}

export interface ServerOptions {
  /** While this file exists every warehouse call of the server fails (test/helpers/warehouse-wrappers.ts). */
  readonly warehouseDownFile?: string;
}

/** Starts `steplog serve` and resolves once /healthz answers; STEPLOG_PORT in `env` keeps a port across restarts. */
export async function startServer(
  env: Record<string, string> = {},
  dataDir: string = tempDataDir(),
  options: ServerOptions = {},
): Promise<ServerProcess> {
  const port = env.STEPLOG_PORT === undefined ? await freePort() : Number(env.STEPLOG_PORT);
  const args =
    options.warehouseDownFile === undefined
      ? [BIN, 'serve']
      : ['--import', 'tsx', SERVE_WITH_OUTAGE, options.warehouseDownFile];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, STEPLOG_PORT: String(port), STEPLOG_DATA_DIR: dataDir, STEPLOG_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`steplog exited with ${child.exitCode}:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`steplog did not start within 30 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const keys = readFirstKeys(dataDir);
  adminKeys.set(url, keys.admin);
  return {
    url,
    dataDir,
    keys,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Each started server's admin key, by URL: what `api()` sends unless told otherwise. */
const adminKeys = new Map<string, string>();

export function readFirstKeys(dataDir: string): FirstKeys {
  const text = fs.readFileSync(path.join(dataDir, 'api-keys.env'), 'utf8');
  const value = (name: string) => {
    const found = new RegExp(`^${name}=(\\S+)$`, 'm').exec(text)?.[1];
    if (found === undefined) throw new Error(`${name} missing from api-keys.env`);
    return found;
  };
  return { admin: value('STEPLOG_API_KEY'), ingest: value('STEPLOG_INGEST_KEY') };
}

/**
 * JSON over HTTP against a running server, with the server's admin key unless `key` says
 * otherwise (null: no Authorization header).
 */
export async function api<T = any>(
  base: string,
  method: string,
  route: string,
  body?: unknown,
  key: string | null | undefined = adminKeys.get(base),
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = key == null ? {} : { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${route}`, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

/** User 1 and step 1 (the first ids a fresh server assigns), through the API: what a test needs before it can send events. */
export async function createUserAndStep(base: string): Promise<void> {
  for (const [route, body] of [
    ['/api/users', { name: 'Zoë Ólafsdóttir' }],
    ['/api/tasks', { title: 'Step 1' }],
  ] as const) {
    const { status, body: created } = await api(base, 'POST', route, body);
    if (status !== 201 || created.id !== 1) throw new Error(`POST ${route}: ${status} ${JSON.stringify(created)}`);
  }
}

/** What a `steplog load --json` report holds when all `accepted` events arrived exactly once, views included. */
export const exactlyOnce = (accepted: number) => ({
  accepted,
  missing: 0,
  duplicated: 0,
  viewGaps: 0,
  unexpected: 0,
  dayActionMismatches: [],
  attributeMismatches: [],
});
