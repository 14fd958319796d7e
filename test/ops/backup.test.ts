import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupUnsupportedError } from '../../src/errors/backup-unsupported.ts';
import { Loader } from '../../src/loader/loader.ts';
import { backup, backupSources } from '../../src/ops/backup.ts';
import { ConflictError } from '../../src/store/errors.ts';
import { openPostgresStore } from '../../src/store/postgres/postgres-store.ts';
import { generateEvents, openAdapters } from '../helpers/fixtures.ts';
import { tempDataDir } from '../helpers/server.ts';

/** `steplog backup` without a server (nothing to hold off), and what it refuses. */
const { dir, store, transport, append, warehouse } = await openAdapters();
const noLoads = { exclusive: <T>(work: () => Promise<T>) => work() };
const sources = backupSources(dir, store.snapshot, warehouse.copy);
const loader = new Loader(transport, store.catalog, store.importJobs, warehouse, { batchSize: 100 });

beforeAll(async () => {
  await store.catalog.createUser({ id: 1, name: 'u1', email: 'u1@example.com', joinDate: 0, registrationDate: 0 });
  await store.catalog.createTask({ id: 1, title: 'step 1', text: '' });
  await append(generateEvents(150, 1, 1, 3));
});
afterAll(async () => {
  await store.close();
  await warehouse.close();
});

const target = () => path.join(tempDataDir('steplog-backup-'), 'copy');

describe('backup', () => {
  it('refuses a relative dir and a dir that holds anything, writing nothing', async () => {
    await expect(backup({ ...sources, scheduler: noLoads }, 'relative/dir')).rejects.toThrow(
      'the backup dir must be an absolute path: relative/dir',
    );
    const busy = tempDataDir();
    fs.writeFileSync(path.join(busy, 'keep.txt'), 'mine');
    await expect(backup({ ...sources, scheduler: noLoads }, busy)).rejects.toThrow(ConflictError);
    expect(fs.readdirSync(busy)).toEqual(['keep.txt']);
  });

  it('refuses while a batch is formed but not settled (its retry relies on a log BACKUP does not copy)', async () => {
    const batch = await transport.receive(100);
    await transport.form(batch!);
    const to = target();
    await expect(backup({ ...sources, scheduler: noLoads }, to)).rejects.toThrow(
      'a load of 100 events is in doubt; retry once the next load succeeds',
    );
    expect(fs.existsSync(to)).toBe(false);
    expect(await loader.run('manual')).toMatchObject({ status: 'succeeded', rows: 150 });
  });

  it('writes the warehouse, the store, the keys file and the manifest last', async () => {
    fs.writeFileSync(path.join(dir, 'api-keys.env'), 'STEPLOG_API_KEY=x\n', { mode: 0o600 });
    const to = target();
    const manifest = await backup({ ...sources, scheduler: noLoads }, to);
    expect(manifest).toMatchObject({ version: 1, files: ['api-keys.env'] });
    expect(fs.readdirSync(to).sort()).toEqual(['api-keys.env', 'clickhouse', 'steplog-backup.json', 'steplog.sqlite']);
    expect(fs.statSync(path.join(to, 'api-keys.env')).mode & 0o777).toBe(0o600);
    // The staged copy inside the owned dir was moved, not left behind.
    expect(fs.readdirSync(path.join(dir, 'clickhouse', 'steplog-backups'))).toEqual([]);
  });

  it('refuses PostgreSQL and names the tool to use instead', async () => {
    const postgres = openPostgresStore('postgres://nobody@127.0.0.1:1/never_connected');
    try {
      const refused = backup(
        { ...backupSources(dir, postgres.snapshot, warehouse.copy), scheduler: noLoads },
        target(),
      );
      await expect(refused).rejects.toThrow(BackupUnsupportedError);
      await expect(refused).rejects.toThrow(/pg_dump/);
    } finally {
      await postgres.close();
    }
  });
});
