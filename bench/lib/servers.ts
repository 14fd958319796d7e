import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createUserAndStep, startServer, tempDataDir, type ServerProcess } from '../../test/helpers/server.ts';
import type { Population } from './population.ts';

export type { ServerProcess };

/**
 * A steplog server ready for events; stopping it removes its data dir. On a copy of `template`'s
 * data dir (its users and steps) when given, else with one user and one step.
 */
export async function startSteplog(env: Record<string, string>, template?: Population): Promise<ServerProcess> {
  const dataDir = tempDataDir();
  if (template) fs.cpSync(template.dir, dataDir, { recursive: true });
  const server = await startServer({ STEPLOG_LOG_LEVEL: 'error', ...env }, dataDir).catch((error: unknown) => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw error;
  });
  // User 1 and step 1, which every single-user bench event names (ids are the server's: a client cannot pick them).
  if (!template) await createUserAndStep(server.url);
  return {
    ...server,
    async stop(signal) {
      await server.stop(signal);
      fs.rmSync(server.dataDir, { recursive: true, force: true });
    },
  };
}

/** The bare node:http baseline, on a free port. */
export async function startBare(): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '../bare-server.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<string>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(match[1]!);
    }),
  );
  return { url: `http://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.kill() };
}

/** A sample of a server's Prometheus metric (summed over its labels matching `labels`), 0 when absent. */
export async function metric(server: ServerProcess, name: string, labels = ''): Promise<number> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.keys.admin}` } });
  if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
  let sum = 0;
  for (const line of (await res.text()).split('\n')) {
    const match = /^(\w+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (match?.[1] === name && (match[2] ?? '').includes(labels)) sum += Number(match[3]);
  }
  return sum;
}
