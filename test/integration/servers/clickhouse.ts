import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/server.ts';
import { requireBinary } from './require-binary.ts';

/** A private ClickHouse server (Debian's 18.16 here) on loopback, with its own dirs and ports. */
export interface ClickHouseServer {
  /** `http://default:<password>@127.0.0.1:<port>/`: what STEPLOG_CLICKHOUSE_URL takes. */
  readonly url: string;
  readonly httpPort: number;
  readonly dir: string;
  /** Runs one statement over plain HTTP (TabSeparated answer): a look at the server that bypasses steplog. */
  query(sql: string): Promise<string>;
  /** The server's error log, for failure messages. */
  errors(): string;
  /** kill -9 (a crash); start() brings it back on the same ports and data. */
  kill(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its dirs. */
  destroy(): Promise<void>;
}

const USER = 'clickhouse';

export interface ClickHousePorts {
  readonly http: number;
  readonly tcp: number;
  readonly interserver: number;
}

/** What a cluster member adds to a lone server (see clickhouse-cluster.ts). */
export interface ClickHouseOptions {
  /** Chosen ahead when other servers must know them (a cluster's remote_servers). */
  readonly ports?: ClickHousePorts;
  /** The password of `default`; random when absent. */
  readonly password?: string;
  /** More top-level config elements (zookeeper, macros, remote_servers). */
  readonly extraConfig?: string;
}

const config = (dir: string, ports: ClickHousePorts, extra: string) => `<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog>
    <size>10M</size><count>1</count></logger>
  <http_port>${ports.http}</http_port>
  <tcp_port>${ports.tcp}</tcp_port>
  <interserver_http_port>${ports.interserver}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
${extra}
</yandex>
`;

const users = (password: string) => `<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default>
    <password>${password}</password>
    <networks><ip>127.0.0.1</ip><ip>::1</ip></networks>
    <profile>default</profile><quota>default</quota>
  </default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

/**
 * Starts `clickhouse-server` as user clickhouse (setpriv) with a config written here: loopback
 * only, free ports, data/tmp/log dirs under a fresh temp dir, a random password for `default`.
 * Never the package's service or its /var/lib/clickhouse.
 */
export async function startClickHouse(options: ClickHouseOptions = {}): Promise<ClickHouseServer> {
  const binary = requireBinary(['/usr/sbin/clickhouse-server', '/usr/bin/clickhouse-server'], 'clickhouse-server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steplog-clickhouse-'));
  const ports = options.ports ?? (await freePorts());
  const password = options.password ?? randomBytes(12).toString('hex');
  for (const sub of ['conf', 'data', 'tmp', 'log', 'user_files', 'format_schemas']) fs.mkdirSync(path.join(dir, sub));
  fs.writeFileSync(path.join(dir, 'conf/config.xml'), config(dir, ports, options.extraConfig ?? ''));
  fs.writeFileSync(path.join(dir, 'conf/users.xml'), users(password));
  fs.chmodSync(dir, 0o755);
  await run('chown', ['-R', `${USER}:${USER}`, dir]);

  const url = `http://default:${password}@127.0.0.1:${ports.http}/`;
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const errors = () => {
    try {
      return fs.readFileSync(path.join(dir, 'log/error.log'), 'utf8').slice(-4000);
    } catch {
      return '';
    }
  };
  const start = async () => {
    let output = '';
    child = spawn(
      'setpriv',
      [`--reuid=${USER}`, `--regid=${USER}`, '--init-groups', binary, `--config-file=${dir}/conf/config.xml`],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const process = child;
    exited = new Promise((resolve) => process.once('exit', () => resolve()));
    for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
      if (process.exitCode !== null) throw new Error(`clickhouse-server exited: ${output}\n${errors()}`);
      try {
        if ((await fetch(`http://127.0.0.1:${ports.http}/ping`)).ok) return;
      } catch {
        /* not listening yet */
      }
      if (Date.now() > deadline) throw new Error(`clickhouse-server did not start in 30 s: ${output}\n${errors()}`);
    }
  };
  const stop = async (signal: NodeJS.Signals) => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  await start();
  return {
    url,
    httpPort: ports.http,
    dir,
    errors,
    async query(sql) {
      const response = await fetch(`http://127.0.0.1:${ports.http}/?user=default&password=${password}`, {
        method: 'POST',
        body: sql,
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${sql}: ${text}`);
      return text;
    },
    start,
    kill: () => stop('SIGKILL'),
    async destroy() {
      await stop('SIGTERM');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Free loopback ports for one server. */
export async function freePorts(): Promise<ClickHousePorts> {
  return { http: await freePort(), tcp: await freePort(), interserver: await freePort() };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}
