import { Command } from 'commander';
import { MAX_UINT32 } from '../events/limits.ts';
import { keyOption, urlOption, wholeNumber, withWarehouse, type ServerFlags } from './options.ts';

/** `steplog users erase <id>`: the right to erasure, through the server that owns the warehouse (or directly). */
export const usersCommand = new Command('users').description('users of the learning platform');
usersCommand
  .command('erase')
  .description('erase a user: their name, email and events from the store and every warehouse table')
  .argument('<id>', 'the user id', wholeNumber(MAX_UINT32))
  .addOption(urlOption())
  .addOption(keyOption())
  .action((id: number, opts: ServerFlags) =>
    withWarehouse(opts, async (access) => {
      const erased = await access.eraseUser(id);
      const span = (days: typeof erased.days) => (days === null ? 'none' : `${days.from} … ${days.to}`);
      console.log(
        `erased user ${erased.userId}: ${erased.warehouseEvents} warehouse events deleted; aggregates rebuilt for ${span(erased.days)}\n` +
          `erased site visitor ${erased.userId}: ${erased.siteEvents} warehouse site events deleted; site aggregates rebuilt for ${span(erased.siteDays)}`,
      );
    }),
  );
