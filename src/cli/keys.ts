import { Command, InvalidArgumentError, Option } from 'commander';
import { pino, type Logger } from 'pino';
import { SCOPES, type Scope } from '../auth/api-key.ts';
import { issueKey } from '../runtime/issue-keys.ts';
import { loadConfig } from '../config/config.ts';
import { openStore } from '../adapters.ts';
import type { Store } from '../store/store.ts';
import { wholeNumber } from './options.ts';
import { printTable } from './table.ts';

/** Like `admin create`, these open only the SQLite file (WAL): they work whether or not a server runs. */
async function withStore(work: (store: Store, audit: Logger) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config);
  // JSON lines on stderr, like the server's log: stdout keeps the key as its last line.
  const audit = pino({ level: config.logLevel }, pino.destination(2));
  try {
    await work(store, audit);
  } finally {
    await store.close();
  }
}

const iso = (ms: number | null) => (ms === null ? '' : new Date(ms).toISOString());

/** `steplog keys`: API keys with a scope; only their SHA-256 is stored, so a key is shown once. */
export const keysCommand = new Command('keys').description('API keys (Authorization: Bearer <key>)');
keysCommand
  .command('create')
  .description('make a key; it is printed on the last line, only this once')
  .addOption(new Option('--scope <scope>', 'what the key may do').choices(SCOPES).makeOptionMandatory())
  .requiredOption('--name <name>', 'what the key is for (shown by keys list)')
  .action((opts: { scope: Scope; name: string }) =>
    withStore(async (store, audit) => {
      if (opts.name.trim() === '' || opts.name.length > 200)
        throw new InvalidArgumentError('--name takes 1-200 characters');
      const made = await issueKey(store.apiKeys, opts.scope, opts.name.trim());
      audit.info({ audit: 'key_created', keyId: made.id, name: made.name, scope: made.scope }, 'API key created');
      console.log(`created ${made.scope} key ${made.id} (${made.name}); it is shown only this once:`);
      console.log(made.key);
    }),
  );
keysCommand
  .command('list')
  .description('every key: id, name, scope, first characters, created, revoked')
  .action(() =>
    withStore(async (store) => {
      printTable(
        ['id', 'name', 'scope', 'prefix', 'created', 'revoked'],
        (await store.apiKeys.list()).map((k) => [k.id, k.name, k.scope, k.prefix, iso(k.createdAt), iso(k.revokedAt)]),
      );
    }),
  );
keysCommand
  .command('revoke')
  .description('stop a key from working, at once')
  .argument('<id>', 'the key id (from keys list)', wholeNumber(2 ** 31))
  .action((id: number) =>
    withStore(async (store, audit) => {
      if (!(await store.apiKeys.revoke(id, Date.now()))) throw new Error(`no live key has id ${id}`);
      audit.info({ audit: 'key_revoked', keyId: id }, 'API key revoked');
      console.log(`revoked key ${id}`);
    }),
  );
