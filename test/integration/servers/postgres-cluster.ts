import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, tempDataDir } from '../../helpers/server.ts';
import { requireBinary } from './require-binary.ts';

/**
 * A private PostgreSQL cluster (Debian's 15) on a free loopback port in a temp dir, trust auth:
 * a test may kill and restart it. Never the machine's shared server.
 */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/steplog`: what STEPLOG_DATABASE_URL takes. */
  readonly url: string;
  readonly port: number;
  /** Starts the postmaster again on the same port and data after `stop` (crash recovery after SIGKILL). */
  start(): Promise<void>;
  /** SIGINT (a fast, clean shutdown) or SIGKILL of every process of the cluster (a crash). */
  stop(signal?: 'SIGINT' | 'SIGKILL'): Promise<void>;
  /** Stops the cluster and removes its dir. */
  destroy(): Promise<void>;
  output(): string;
}

const BIN = '/usr/lib/postgresql/15/bin';
const DATABASE = 'steplog';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** initdb refuses to run as root: the cluster runs as `postgres` then (setpriv), as ourselves otherwise. */
function asClusterOwner(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]];
}

function run(command: string, args: string[]): Promise<string> {
  const [file, argv] = asClusterOwner(command, args);
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${command} exited with ${code}:\n${output}`)),
    );
  });
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const postgres = requireBinary([`${BIN}/postgres`], 'postgresql');
  const dir = tempDataDir('steplog-pg-');
  const data = path.join(dir, 'data');
  fs.chmodSync(dir, 0o755);
  if (process.getuid?.() === 0) await runAsRoot('chown', ['postgres:postgres', dir]);
  const port = await freePort();
  await run(`${BIN}/initdb`, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync']);

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let output = '';
  const start = async () => {
    const [file, argv] = asClusterOwner(postgres, [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
    ]);
    // Its own process group: a crash (SIGKILL) takes the postmaster and every backend at once.
    const postmaster = spawn(file, argv, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child = postmaster;
    postmaster.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    postmaster.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    exited = new Promise((resolve) => postmaster.once('exit', () => resolve()));
    for (const deadline = Date.now() + 30_000; !(await ready()); await sleep(100)) {
      if (postmaster.exitCode !== null) throw new Error(`postgres exited with ${postmaster.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${output}`);
    }
  };
  const ready = async () => {
    if (!(await accepts(port))) return false;
    try {
      await run(`${BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-q']);
      return true;
    } catch {
      return false;
    }
  };
  const stop = async (signal: 'SIGINT' | 'SIGKILL' = 'SIGINT') => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    if (signal === 'SIGKILL') process.kill(-running.pid!, 'SIGKILL');
    else running.kill('SIGINT');
    await exited;
    // Backends left by a SIGKILL of the group die with it; wait until the port is free for a restart.
    while (await accepts(port)) await sleep(100);
  };

  await start();
  await run(`${BIN}/createdb`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', DATABASE]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`,
    port,
    start,
    stop,
    async destroy() {
      await stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
    output: () => output,
  };
}

function runAsRoot(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}
