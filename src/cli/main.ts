import { Command, Option } from 'commander';
import { ConfigError, loadConfig, ROLES, type Role } from '../config/config.ts';
import { serve } from './serve.ts';
import { registerBackupCommands } from './backup-commands.ts';
import { registerLoadCommand } from './load-command.ts';
import { fromOption, keyOption, toOption, urlOption, withWarehouse, type ServerFlags } from './options.ts';
import { registerQueryCommands } from './query-commands.ts';
import { printTable } from './table.ts';
import { adminCommand } from './admin.ts';
import { deadLettersCommand } from './dead-letters-command.ts';
import { keysCommand } from './keys.ts';
import { usersCommand } from './users-command.ts';

const program = new Command('steplog').description('Event collection and activity analytics').showHelpAfterError();

program
  .command('serve')
  .description('run the API, the loader and the web pages (--role all), or one side of them')
  .addOption(
    new Option('--role <role>', 'api: HTTP and ingest; loader: loads into ClickHouse; all: both')
      .choices(ROLES)
      .default('all'),
  )
  .action(async (opts: { role: Role }) => {
    await serve(loadConfig(), opts.role);
  });

const migrate = program.command('migrate').description('ClickHouse schema migrations');
migrate
  .command('status')
  .description('list migrations and whether each is applied')
  .addOption(urlOption())
  .addOption(keyOption())
  .action((opts: ServerFlags) =>
    withWarehouse(opts, async (access) => {
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
  .addOption(urlOption())
  .addOption(keyOption())
  .action((opts: ServerFlags) =>
    withWarehouse(opts, async (access) => {
      const applied = await access.migrate();
      console.log(
        applied.length === 0 ? 'up to date' : applied.map((m) => `applied ${m.version} ${m.name}`).join('\n'),
      );
    }),
  );

registerQueryCommands(program);
registerLoadCommand(program);
registerBackupCommands(program);

program
  .command('aggregates')
  .description('the daily -State aggregates behind the marts')
  .command('rebuild')
  .description('recompute the aggregates from the raw events (all months, or the months of --from … --to)')
  .addOption(fromOption())
  .addOption(toOption())
  .addOption(urlOption())
  .addOption(keyOption())
  .action((opts: ServerFlags & { from?: string; to?: string }) =>
    withWarehouse(opts, async (access) => {
      if (opts.from !== undefined && opts.to !== undefined && opts.from > opts.to) {
        throw new Error('--to must not be before --from');
      }
      const tables = await access.rebuildAggregates(opts);
      printTable(
        ['table', 'partitions', 'rows'],
        tables.map((t) => [t.table, t.partitions.join(' '), t.rows]),
      );
    }),
  );

program.addCommand(adminCommand);
program.addCommand(deadLettersCommand);
program.addCommand(keysCommand);
program.addCommand(usersCommand);

try {
  await program.parseAsync();
} catch (error) {
  console.error(
    error instanceof ConfigError ? `configuration error: ${error.message}` : `error: ${(error as Error).message}`,
  );
  process.exitCode = 1;
}
