import { Command } from 'commander';
import { loadConfig } from '../config/config.ts';
import { openStore } from '../adapters.ts';
import { hashPassword } from '../auth/password.ts';

const MIN_PASSWORD = 8;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** `steplog admin create`: the first admin, like Django's createsuperuser (SQLite only; a server may run). */
export const adminCommand = new Command('admin').description('web admin accounts');
adminCommand
  .command('create')
  .description('create an admin who can log in at /admin')
  .requiredOption('--username <name>', 'login name')
  .option('--password <password>', 'the password (visible in the process list; prefer --password-stdin)')
  .option('--password-stdin', 'read the password from standard input')
  .action(async (opts: { username: string; password?: string; passwordStdin?: boolean }) => {
    const password = opts.passwordStdin ? await readStdin() : opts.password;
    if (password === undefined) throw new Error('give --password or --password-stdin');
    if (password.length < MIN_PASSWORD) throw new Error(`the password needs at least ${MIN_PASSWORD} characters`);
    if (!/^[\w.@-]{1,100}$/.test(opts.username)) throw new Error('the username takes 1-100 letters, digits, _ . @ -');
    const store = await openStore(loadConfig());
    try {
      const admin = await store.admins.create(opts.username, await hashPassword(password));
      console.log(`created admin ${admin.username} (id ${admin.id})`);
    } finally {
      await store.close();
    }
  });
