import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createUserAndStep, startServer, type ServerProcess } from '../../test/helpers/server.ts';

export type { ServerProcess };

/** A steplog server with one user and one task, ready for events; stopping it removes its data dir. */
export async function startSteplog(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServer({ STEPLOG_LOG_LEVEL: 'error', ...env });
  // User 1 and step 1, which every bench event names (ids are the server's: a client cannot pick them).
  await createUserAndStep(server.url);
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
