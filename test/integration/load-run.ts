import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { exactlyOnce, runCli, tempDataDir } from '../helpers/server.ts';

/** Where a load goes: one server, or several api processes over one store. */
export interface LoadTarget {
  readonly urls: readonly string[];
  readonly adminKey: string;
  /** The servers' output, for failure messages. */
  output(): string;
}

export const serverTarget = (server: { url: string; keys: { admin: string }; output(): string }): LoadTarget => ({
  urls: [server.url],
  adminKey: server.keys.admin,
  output: () => server.output(),
});

/**
 * `steplog load --events N` against a target (`args` adds options, e.g. `--family site`); `settle` asserts its
 * verifier's report — every event in ClickHouse once, no view gap — and answers it.
 */
export function startLoad(target: LoadTarget, events: number, args: readonly string[] = []) {
  const work = tempDataDir('steplog-load-');
  const report = path.join(work, 'report.json');
  const manifest = path.join(work, 'manifest.json');
  const running = runCli(
    ['load', ...target.urls.flatMap((url) => ['--url', url])]
      .concat(['--events', String(events), '--manifest', manifest, '--json', report])
      .concat(args),
    { STEPLOG_API_KEY: target.adminKey },
  );
  let finished = false;
  void running.then(() => (finished = true));
  return {
    manifest,
    report,
    finished: () => finished,
    async settle(): Promise<Record<string, any>> {
      const run = await running;
      expect(run.code, run.stdout + run.stderr + target.output()).toBe(0);
      const verdict = JSON.parse(fs.readFileSync(report, 'utf8'));
      expect(verdict).toMatchObject({ ok: true, delivered: events, ...exactlyOnce(events) });
      return verdict;
    },
  };
}
