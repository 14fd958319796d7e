import fs from 'node:fs';
import path from 'node:path';
import { BackupUnsupportedError } from '../errors/backup-unsupported.ts';
import type { LoadScheduler } from '../loader/scheduler.ts';
import { ConflictError } from '../store/errors.ts';
import type { StoreSnapshot } from '../store/snapshot.ts';
import { firstKeysFile } from '../runtime/issue-keys.ts';
import type { WarehouseCopy } from '../warehouse/warehouse.ts';

/** What a backup dir holds: the names of a data dir, so a restore puts each back where it was. */
export const BACKUP_LAYOUT = {
  manifest: 'steplog-backup.json',
  store: 'steplog.sqlite',
  warehouse: 'clickhouse',
} as const;

/** Written last: a backup dir without it is incomplete. */
export interface BackupManifest {
  readonly version: 1;
  readonly createdAt: string;
  /** Files of the data dir copied as they were (the first start's keys). */
  readonly files: readonly string[];
}

export interface BackupDeps {
  readonly scheduler: Pick<LoadScheduler, 'exclusive'>;
  readonly snapshot: StoreSnapshot;
  readonly warehouse: WarehouseCopy;
  /** Data-dir files copied as they are when present (api-keys.env). */
  readonly files: readonly string[];
}

/** What a backup copies; the scheduler is the running process's (or none when no server runs). */
export type BackupSources = Omit<BackupDeps, 'scheduler'>;

/** What a backup copies: the store, the warehouse and the first start's keys (api-keys.env). */
export const backupSources = (dataDir: string, snapshot: StoreSnapshot, warehouse: WarehouseCopy): BackupSources => ({
  snapshot,
  warehouse,
  files: [firstKeysFile(dataDir)],
});

/**
 * A consistent copy of the store and the warehouse while the server runs. Loads are held off for
 * the whole backup (LoadScheduler.exclusive), so the warehouse copy holds exactly the batches the
 * store copy says are settled; ingest goes on meanwhile, and what it commits before the store copy
 * is in the store's backlog there, loaded after a restore. The warehouse is copied first, then the
 * store: a batch the store copy calls delivered is in the warehouse copy.
 *
 * Refused (409) while a batch is formed but not settled: its retry relies on the engine's
 * insert-deduplication log, which BACKUP does not copy, so a restored in-doubt batch could load twice.
 */
export async function backup(deps: BackupDeps, dir: string): Promise<BackupManifest> {
  const { scheduler, snapshot, warehouse } = deps;
  const refusal = warehouse.refusal ?? snapshot.refusal;
  if (refusal !== null) throw new BackupUnsupportedError(refusal);
  if (!path.isAbsolute(dir)) throw new ConflictError('dir', `the backup dir must be an absolute path: ${dir}`);
  const existed = fs.existsSync(dir);
  if (existed && fs.readdirSync(dir).length > 0) {
    throw new ConflictError('dir', `${dir} is not empty: back up into a new or empty dir`);
  }
  return scheduler.exclusive(async () => {
    const inDoubt = await snapshot.batchesInDoubt();
    if (inDoubt > 0) {
      throw new ConflictError('dir', `a load of ${inDoubt} events is in doubt; retry once the next load succeeds`);
    }
    fs.mkdirSync(dir, { recursive: true });
    try {
      await warehouse.copyTo(path.join(dir, BACKUP_LAYOUT.warehouse));
      await snapshot.copyTo(path.join(dir, BACKUP_LAYOUT.store));
      const files = deps.files.filter((file) => fs.existsSync(file));
      for (const file of files) fs.copyFileSync(file, path.join(dir, path.basename(file)));
      const manifest: BackupManifest = {
        version: 1,
        createdAt: new Date().toISOString(),
        files: files.map((file) => path.basename(file)),
      };
      fs.writeFileSync(path.join(dir, BACKUP_LAYOUT.manifest), JSON.stringify(manifest, null, 2));
      return manifest;
    } catch (error) {
      for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
      if (!existed) fs.rmdirSync(dir);
      throw error;
    }
  });
}
