import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort, readFirstKeys, tempDataDir, type FirstKeys } from '../helpers/server.ts';
import { startClickHouse, type ClickHouseServer } from './servers/clickhouse.ts';
import { startPostgresCluster, type PostgresCluster } from './servers/postgres-cluster.ts';
import { startRabbitNode, type RabbitNode } from './servers/rabbitmq.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/steplog.js');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One `steplog serve --role api|loader` process of a topology; `start` brings it back after a kill. */
export interface RoleProcess {
  readonly role: 'api' | 'loader';
  /** The api's base URL (a loader serves no HTTP; its URL is never used). */
  readonly url: string;
  start(): Promise<void>;
  /** SIGTERM (a clean stop) or SIGKILL (a crash); resolves once the process is gone. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  output(): string;
  /** The running process's pid (part of the `owner` of the import jobs it starts). */
  pid(): number | undefined;
}

/**
 * The production topology on private servers: a PostgreSQL cluster, a RabbitMQ node and a
 * ClickHouse server of its own (any of them may be killed), `apis` api processes and `loaders`
 * loader processes sharing them.
 */
export interface Topology {
  readonly postgres: PostgresCluster;
  readonly broker: RabbitNode;
  readonly clickhouse: ClickHouseServer;
  readonly apis: readonly RoleProcess[];
  readonly loaders: readonly RoleProcess[];
  readonly keys: FirstKeys;
  /** Everything every steplog process printed, for failure messages. */
  output(): string;
  destroy(): Promise<void>;
}

export async function startTopology(
  counts: { apis: number; loaders: number },
  env: Record<string, string>,
): Promise<Topology> {
  const [postgres, broker, clickhouse] = await Promise.all([
    startPostgresCluster(),
    startRabbitNode(),
    startClickHouse(),
  ]);
  // PostgreSQL and ClickHouse hold everything; the shared data dir only holds the first keys file.
  const dataDir = tempDataDir();
  const shared = {
    ...env,
    STEPLOG_DATA_DIR: dataDir,
    STEPLOG_DATABASE_URL: postgres.url,
    STEPLOG_AMQP_URL: broker.url,
    STEPLOG_CLICKHOUSE_URL: clickhouse.url,
  };
  const started: RoleProcess[] = [];
  const destroy = async () => {
    for (const steplog of started) await steplog.stop('SIGKILL');
    await Promise.all([postgres.destroy(), broker.destroy(), clickhouse.destroy()]);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    // The first api migrates the store and writes the keys; the others start beside it.
    for (let i = 0; i < counts.apis; i++) started.push(await roleProcess('api', shared));
    for (let i = 0; i < counts.loaders; i++) started.push(await roleProcess('loader', shared));
  } catch (error) {
    await destroy();
    throw error;
  }
  return {
    postgres,
    broker,
    clickhouse,
    apis: started.filter((p) => p.role === 'api'),
    loaders: started.filter((p) => p.role === 'loader'),
    keys: readFirstKeys(dataDir),
    output: () => started.map((p) => `--- ${p.role} ${p.url}\n${p.output().slice(-4000)}`).join('\n'),
    destroy,
  };
}

/** One `steplog serve --role <role>` on a free port with `env`, up once it answers (api) or says it serves (loader). */
export async function roleProcess(role: 'api' | 'loader', env: Record<string, string>): Promise<RoleProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const start = async () => {
    const steplog = spawn(process.execPath, [BIN, 'serve', '--role', role], {
      cwd: path.dirname(path.dirname(BIN)),
      // A loader serves no HTTP: its info line 'steplog is serving' is how it says it is up.
      env: { ...process.env, STEPLOG_LOG_LEVEL: 'info', ...env, STEPLOG_PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = steplog;
    const from = output.length;
    steplog.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    steplog.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => steplog.once('exit', () => resolve()));
    for (const deadline = Date.now() + 60_000; !(await isUp(role, url, output.slice(from))); await sleep(100)) {
      if (steplog.exitCode !== null)
        throw new Error(`steplog --role ${role} exited with ${steplog.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`steplog --role ${role} did not start within 60 s:\n${output}`);
    }
  };
  await start();
  return {
    role,
    url,
    start,
    async stop(signal = 'SIGTERM') {
      if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    output: () => output,
    pid: () => child?.pid,
  };
}

async function isUp(role: 'api' | 'loader', url: string, output: string): Promise<boolean> {
  if (role === 'loader') return output.includes('"msg":"steplog is serving"');
  try {
    return (await fetch(`${url}/healthz`)).ok;
  } catch {
    return false;
  }
}
