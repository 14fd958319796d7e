import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, tempDataDir } from '../../helpers/server.ts';
import { requireBinary } from './require-binary.ts';

/** A private RabbitMQ node on free loopback ports with its own name, cookie and data: a test may kill and restart it. */
export interface RabbitNode {
  readonly url: string;
  /** Starts the node again on the same ports and data after `stop`. */
  start(): Promise<void>;
  /** SIGTERM (a clean stop) or SIGKILL (a crash); resolves once the node is gone. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  output(): string;
  /** Kills the node and removes its dir. */
  destroy(): Promise<void>;
}

const SERVER = ['/usr/lib/rabbitmq/bin/rabbitmq-server'];

function chownToRabbit(file: string): void {
  const uid = Number(fs.readFileSync('/etc/passwd', 'utf8').match(/^rabbitmq:[^:]*:(\d+):(\d+):/m)?.[1]);
  const gid = Number(fs.readFileSync('/etc/passwd', 'utf8').match(/^rabbitmq:[^:]*:(\d+):(\d+):/m)?.[2]);
  fs.chownSync(file, uid, gid);
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

export async function startRabbitNode(): Promise<RabbitNode> {
  const server = requireBinary(SERVER, 'rabbitmq-server');
  const dir = tempDataDir('steplog-rabbit-');
  fs.chmodSync(dir, 0o755);
  const [port, distPort] = [await freePort(), await freePort()];
  const files = {
    conf: path.join(dir, 'rabbitmq.conf'),
    env: path.join(dir, 'rabbitmq-env.conf'),
    plugins: path.join(dir, 'enabled_plugins'),
    cookie: path.join(dir, '.erlang.cookie'),
  };
  fs.writeFileSync(files.conf, `listeners.tcp.local = 127.0.0.1:${port}\n`);
  fs.writeFileSync(files.env, '');
  fs.writeFileSync(files.plugins, '[].\n');
  fs.writeFileSync(files.cookie, crypto.randomBytes(16).toString('hex'), { mode: 0o400 });
  for (const file of [dir, ...Object.values(files)]) chownToRabbit(file);
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    RABBITMQ_NODENAME: `steplogtest${port}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(port),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_CONFIG_FILE: files.conf,
    RABBITMQ_CONF_ENV_FILE: files.env,
    RABBITMQ_ENABLED_PLUGINS_FILE: files.plugins,
    RABBITMQ_PID_FILE: path.join(dir, 'rabbit.pid'),
    ERL_EPMD_ADDRESS: '127.0.0.1',
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: '-kernel inet_dist_use_interface {127,0,0,1}',
  };
  let child: ChildProcess | undefined;
  let output = '';

  const node: RabbitNode = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async start() {
      child = spawn('setpriv', ['--reuid=rabbitmq', '--regid=rabbitmq', '--init-groups', server], {
        env,
        cwd: dir,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const deadline = Date.now() + 90_000;
      while (!(await accepts(port))) {
        if (child.exitCode !== null) throw new Error(`rabbitmq-server exited with ${child.exitCode}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`rabbitmq-server did not listen within 90 s:\n${output}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop(signal = 'SIGTERM') {
      const running = child;
      if (!running || running.exitCode !== null || running.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      // The node runs as its own process group (detached): the shell, erl and its port programs.
      process.kill(-running.pid!, signal);
      await exited;
      while (await accepts(port)) await new Promise((r) => setTimeout(r, 100));
    },
    output: () => output,
    async destroy() {
      await node.stop('SIGKILL');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await node.start();
  return node;
}
