import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfig } from '../config/config.ts';
import type { ActionId } from '../events/event.ts';
import fs from 'node:fs';
import { formatReport, type LoadReport } from '../load/report.ts';
import { runLoad, verifyOnly } from '../load/run.ts';
import { serve } from '../main.ts';
import { printTable } from './table.ts';
import { warehouseAccess, type WarehouseAccess } from './warehouse-access.ts';

const program = new Command('steplog').description('Event collection and activity analytics').showHelpAfterError();

const day = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected a day as YYYY-MM-DD');
  }
  return value;
};
const positive = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const today = () => new Date().toISOString().slice(0, 10);
const urlOption = new Option(
  '--url <url>',
  'reach a running steplog server at this URL (default: STEPLOG_URL when one owns the data dir)',
);

async function withWarehouse(url: string | undefined, work: (access: WarehouseAccess) => Promise<void>): Promise<void> {
  const access = warehouseAccess(loadConfig(), url);
  try {
    await work(access);
  } finally {
    await access.close();
  }
}

program
  .command('serve')
  .description('run the API, the loader and the web pages in one process')
  .action(async () => {
    await serve(loadConfig());
  });

const migrate = program.command('migrate').description('ClickHouse schema migrations');
migrate
  .command('status')
  .description('list migrations and whether each is applied')
  .addOption(urlOption)
  .action(({ url }: { url?: string }) =>
    withWarehouse(url, async (access) => {
      const migrations = await access.migrations();
      printTable(
        ['version', 'name', 'applied at'],
        migrations.map((m) => [m.version, m.name, m.appliedAt ?? 'pending']),
      );
    }),
  );
migrate
  .command('up')
  .description('apply pending migrations')
  .addOption(urlOption)
  .action(({ url }: { url?: string }) =>
    withWarehouse(url, async (access) => {
      const applied = await access.migrate();
      console.log(
        applied.length === 0 ? 'up to date' : applied.map((m) => `applied ${m.version} ${m.name}`).join('\n'),
      );
    }),
  );

const query = program.command('query').description('answer activity questions from ClickHouse');
query
  .command('daily-users')
  .description('unique users per day (seed Part 4)')
  .option('--from <day>', 'first UTC day, YYYY-MM-DD (default: 30 days ago)', day)
  .option('--to <day>', 'last UTC day, YYYY-MM-DD (default: today)', day)
  .addOption(new Option('--action <id>', 'only this action: 0 view, 1 submit, 2 solve').choices(['0', '1', '2']))
  .addOption(urlOption)
  .action((opts: { from?: string; to?: string; action?: string; url?: string }) =>
    withWarehouse(opts.url, async (access) => {
      const to = opts.to ?? today();
      const from = opts.from ?? new Date(Date.parse(to) - 29 * 86_400_000).toISOString().slice(0, 10);
      const days = await access.dailyUsers({
        from,
        to,
        actionId: opts.action === undefined ? undefined : (Number(opts.action) as ActionId),
      });
      printTable(
        ['day', 'users', 'events'],
        days.map((d) => [d.day, d.users, d.events]),
      );
    }),
  );

interface LoadFlags {
  url?: string;
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

program
  .command('load')
  .description('generate users and events, send them to a running server, and prove every one reached ClickHouse once')
  .option('--url <url>', 'the steplog server (default: STEPLOG_URL or this machine on STEPLOG_PORT)')
  .option('--events <n>', 'events to send', positive, 10_000)
  .option('--users <n>', 'users to create (a quarter are guests)', positive, 1_000)
  .option('--tasks <n>', 'tasks (steps) to create', positive, 100)
  .option('--days <n>', 'days before now the events spread over', positive, 30)
  .option('--concurrency <n>', 'requests in flight', positive, 16)
  .option('--batch <n>', 'events per request; 1 uses POST /api/events', positive, 500)
  .option('--seed <n>', 'seed of the generated population and behaviour', positive, 42)
  .option('--timeout <ms>', 'one request’s limit before it is sent again with the same event_ids', positive, 30_000)
  .option('--trigger-after <ms>', 'wait this long for scheduled loads, then ask for loads', positive, 10_000)
  .option('--manifest <path>', 'where the run is recorded for --verify-only (default ./steplog-load-<tag>.json)')
  .option('--json <path>', 'also write the report as JSON')
  .option('--verify-only', 're-check a finished run from --manifest without sending anything')
  .action(async (flags: LoadFlags) => {
    const url = flags.url ?? loadConfig().serverUrl;
    let report: LoadReport;
    if (flags.verifyOnly) {
      if (flags.manifest === undefined) throw new InvalidArgumentError('--verify-only needs --manifest <path>');
      report = await verifyOnly(flags.manifest, flags.url);
    } else {
      const run = await runLoad({
        ...flags,
        url,
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

try {
  await program.parseAsync();
} catch (error) {
  console.error(
    error instanceof ConfigError ? `configuration error: ${error.message}` : `error: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
