import path from 'node:path';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { restoreTarget } from '../adapters.ts';
import { restoreDataDir } from '../ops/restore.ts';
import { keyOption, urlOption, withWarehouse, type ServerFlags } from './options.ts';

/** `steplog backup <dir>` (through the running server, or directly when none runs) and `steplog restore <dir>`. */
export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description('write a consistent copy of the data dir (store and warehouse) into a new dir, while serving')
    .argument('<dir>', 'where the copy goes: a new or empty dir (on the server’s machine)')
    .addOption(urlOption())
    .addOption(keyOption())
    .action((dir: string, opts: ServerFlags) =>
      withWarehouse(opts, async (access) => {
        const target = path.resolve(dir);
        const manifest = await access.backup(target);
        console.log(`backup written to ${target} at ${manifest.createdAt}`);
      }),
    );
  program
    .command('restore')
    .description('bring STEPLOG_DATA_DIR back from a backup (no server may run on it)')
    .argument('<dir>', 'a dir written by `steplog backup`')
    .option('--force', 'replace what the data dir holds (refused otherwise when it is not empty)')
    .action(async (dir: string, opts: { force?: boolean }) => {
      const config = loadConfig();
      const manifest = await restoreDataDir(
        restoreTarget(config),
        path.resolve(dir),
        config.dataDir,
        opts.force === true,
      );
      console.log(
        `restored ${config.dataDir} from the backup of ${manifest.createdAt}; start it with \`steplog serve\``,
      );
    });
}
