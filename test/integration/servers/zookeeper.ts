import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../helpers/server.ts';
import { requireBinary } from './require-binary.ts';

/** A private ZooKeeper (Debian's 3.8 here) on a loopback port, with its own data dir. */
export interface ZooKeeperServer {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** Stops it and removes its dir. */
  destroy(): Promise<void>;
}

/** ZooKeeper's tick: sessions last between 2 and 20 ticks, so a replica's session may be as short as 1 s. */
const TICK_MS = 500;

const zooCfg = (dir: string, port: number) => `tickTime=${TICK_MS}
initLimit=10
syncLimit=5
dataDir=${dir}/data
clientPort=${port}
clientPortAddress=127.0.0.1
admin.enableServer=false
maxClientCnxns=0
4lw.commands.whitelist=ruok
`;

const log4j = `log4j.rootLogger=WARN, FILE
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File=\${zookeeper.log.dir}/zookeeper.log
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%d %p %c{1}: %m%n
`;

/**
 * Starts ZooKeeper standalone from Debian's `zookeeper` package (its jar and java): a zoo.cfg
 * written here with a free loopback client port, its own dataDir, the admin server off.
 * Never the package's service or its /var/lib/zookeeper.
 */
export async function startZooKeeper(): Promise<ZooKeeperServer> {
  const jar = requireBinary(['/usr/share/java/zookeeper.jar', '/usr/share/zookeeper/zookeeper.jar'], 'zookeeper');
  const java = requireBinary(['/usr/bin/java'], 'default-jre-headless');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'steplog-zookeeper-'));
  for (const sub of ['conf', 'data', 'log']) fs.mkdirSync(path.join(dir, sub));
  const port = await freePort();
  fs.writeFileSync(path.join(dir, 'conf/zoo.cfg'), zooCfg(dir, port));
  fs.writeFileSync(path.join(dir, 'conf/log4j.properties'), log4j);

  let output = '';
  const child: ChildProcess = spawn(
    java,
    [
      '-Xmx256m',
      `-Dzookeeper.log.dir=${dir}/log`,
      '-cp',
      `${dir}/conf:${jar}:/usr/share/java/log4j-1.2.jar:/usr/share/java/slf4j-log4j12.jar`,
      'org.apache.zookeeper.server.quorum.QuorumPeerMain',
      `${dir}/conf/zoo.cfg`,
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const destroy = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  for (const deadline = Date.now() + 30_000; (await fourLetterWord(port, 'ruok')) !== 'imok'; await sleep(200)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await destroy();
      throw new Error(`zookeeper did not start in 30 s:\n${output.slice(-4000)}`);
    }
  }
  return { host: '127.0.0.1', port, destroy };
}

/** ZooKeeper's four-letter health word over its client port, or '' when it does not answer. */
function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => socket.end(word));
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', () => resolve(''));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
