import { Command, InvalidArgumentError, Option } from 'commander';
import Table from 'cli-table3';
import { ConfigError, loadConfig } from '../config/config.ts';
import type { ActionId } from '../events/event.ts';
import { serve } from '../main.ts';
import { adminCommand } from './admin.ts';
import { warehouseAccess, type WarehouseAccess } from './warehouse-access.ts';

const program = new Command('steplog').description('Event collection and activity analytics').showHelpAfterError();

const day = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected a day as YYYY-MM-DD');
  }
  return value;
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
      const table = new Table({ head: ['version', 'name', 'applied at'] });
      for (const m of await access.migrations()) table.push([m.version, m.name, m.appliedAt ?? 'pending']);
      console.log(table.toString());
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
      const table = new Table({ head: ['day', 'users', 'events'] });
      for (const d of days) table.push([d.day, d.users, d.events]);
      console.log(table.toString());
    }),
  );

program.addCommand(adminCommand);

try {
  await program.parseAsync();
} catch (error) {
  console.error(
    error instanceof ConfigError ? `configuration error: ${error.message}` : `error: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
