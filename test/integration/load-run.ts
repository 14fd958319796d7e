import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli, tempDataDir, type ServerProcess } from '../helpers/server.ts';

/**
 * `steplog load --events N` (and `args`, e.g. `--family site`) against a server; `settle` asserts its
 * verifier's report: every event in ClickHouse once.
 */
export function startLoad(server: ServerProcess, events: number, args: readonly string[] = []) {
  const work = tempDataDir('steplog-load-');
  const report = path.join(work, 'report.json');
  const manifest = path.join(work, 'manifest.json');
  const running = runCli(
    ['load', '--url', server.url, '--events', String(events), '--manifest', manifest, '--json', report, ...args],
    { STEPLOG_API_KEY: server.keys.admin },
  );
  return {
    manifest,
    report,
    async settle(): Promise<void> {
      const run = await running;
      expect(run.code, run.stdout + run.stderr + server.output()).toBe(0);
      expect(JSON.parse(fs.readFileSync(report, 'utf8'))).toMatchObject({
        ok: true,
        accepted: events,
        delivered: events,
        missing: 0,
        duplicated: 0,
        dayActionMismatches: [],
        attributeMismatches: [],
      });
    },
  };
}
