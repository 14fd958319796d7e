import fs from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { formatReport, type LoadReport } from '../loadgen/report.ts';
import { FAMILIES, runLoad, verifyOnly, type FamilyName } from '../loadgen/run.ts';
import { SITE_ROUTES, type SiteRoute } from '../loadgen/site/site-family.ts';
import { keyOption, wholeNumber, type ServerFlags } from './options.ts';

const count = wholeNumber(100_000_000);

interface LoadFlags extends Omit<ServerFlags, 'url'> {
  url: string[];
  family: FamilyName;
  route: SiteRoute;
  products: number;
  events: number;
  users: number;
  tasks: number;
  days: number;
  concurrency: number;
  batch: number;
  seed: number;
  json?: string;
  manifest?: string;
  verifyOnly?: boolean;
  timeout: number;
  triggerAfter: number;
}

/** `steplog load`: seed Part 3 — generate events of a family, send them, and prove each reached ClickHouse once. */
export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description(
      'generate users and events, send them to a running server, and prove every one reached ClickHouse once',
    )
    .option(
      '--url <url>',
      'a steplog server; repeat it for several api processes over one store, requests are spread over them (default: STEPLOG_URL or this machine on STEPLOG_PORT)',
      (url: string, urls: string[]) => [...urls, url],
      [],
    )
    .addOption(keyOption())
    .addOption(
      new Option('--family <family>', 'learning: users, tasks and their events; site: de-demo visitors on a shop')
        .choices(FAMILIES)
        .default('learning'),
    )
    .addOption(
      new Option(
        '--route <route>',
        'site events through api: /api/site-events[/batch] (event_ids, retried safely), or compat: the seed’s POST /events/, one per request (a retried timeout may store twice)',
      )
        .choices(SITE_ROUTES)
        .default('api'),
    )
    .option('--events <n>', 'events to send', count, 10_000)
    .option('--users <n>', 'users to create (a quarter are guests); site: visitors', count, 1_000)
    .option('--tasks <n>', 'tasks (steps) to create', count, 100)
    .option('--products <n>', 'site: products in the shop', count, 200)
    .option('--days <n>', 'days before now the events spread over', count, 30)
    .option('--concurrency <n>', 'requests in flight', count, 16)
    .option('--batch <n>', 'events per request; 1 uses POST /api/events', count, 500)
    .option('--seed <n>', 'seed of the generated population and behaviour', count, 42)
    .option('--timeout <ms>', 'one request’s limit before it is sent again with the same event_ids', count, 30_000)
    .option('--trigger-after <ms>', 'wait this long for scheduled loads, then ask for loads', count, 10_000)
    .option('--manifest <path>', 'where the run is recorded for --verify-only (default ./steplog-load-<tag>.json)')
    .option('--json <path>', 'also write the report as JSON')
    .option('--verify-only', 're-check a finished run from --manifest without sending anything')
    .action(async (flags: LoadFlags) => {
      const config = loadConfig();
      const urls = flags.url.length > 0 ? flags.url : [config.serverUrl];
      const apiKey = flags.key ?? config.apiKey;
      let report: LoadReport;
      if (flags.verifyOnly) {
        if (flags.manifest === undefined) throw new InvalidArgumentError('--verify-only needs --manifest <path>');
        report = await verifyOnly(flags.manifest, flags.url, apiKey);
      } else {
        const run = await runLoad({
          ...flags,
          urls,
          apiKey,
          timeoutMs: flags.timeout,
          triggerAfterMs: flags.triggerAfter,
          progress: process.stderr.isTTY,
        });
        console.log(`manifest: ${run.manifestPath}`);
        report = run.report;
      }
      console.log(formatReport(report));
      if (flags.json !== undefined) fs.writeFileSync(flags.json, JSON.stringify(report, null, 2));
      if (!report.ok) process.exitCode = 2;
    });
}
