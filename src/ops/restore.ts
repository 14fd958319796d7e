import fs from 'node:fs';
import path from 'node:path';
import { BACKUP_LAYOUT, type BackupManifest } from './backup.ts';

export interface RestoreDeps {
  /** Takes the data dir for this process, refusing while a server runs on it; answers the release. */
  readonly own: () => () => void;
  /** Restores the warehouse copy of a backup into the data dir. */
  readonly restoreWarehouse: (copy: string) => Promise<void>;
}

/**
 * Brings a data dir back from a backup (src/ops/backup.ts): the store file and the other files
 * copied, the warehouse restored by its engine. Refuses a data dir that holds anything unless
 * `force`, which empties it first. The restored store's backlog holds what ingest committed
 * before the backup but no load had moved yet; the next load delivers it.
 */
export async function restoreDataDir(
  deps: RestoreDeps,
  from: string,
  dataDir: string,
  force: boolean,
): Promise<BackupManifest> {
  const manifestFile = path.join(from, BACKUP_LAYOUT.manifest);
  if (!fs.existsSync(manifestFile)) {
    throw new Error(`${from} is not a complete steplog backup (no ${BACKUP_LAYOUT.manifest})`);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as BackupManifest;
  if (manifest.version !== 1) throw new Error(`${manifestFile}: unknown backup version ${String(manifest.version)}`);
  const present = fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [];
  if (present.length > 0 && !force) {
    throw new Error(
      `${dataDir} is not empty: restore into an empty data dir, or give --force to replace what it holds`,
    );
  }
  const release = deps.own();
  try {
    for (const entry of present) fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
    fs.mkdirSync(dataDir, { recursive: true });
    await deps.restoreWarehouse(path.join(from, BACKUP_LAYOUT.warehouse));
    for (const file of [BACKUP_LAYOUT.store, ...manifest.files]) {
      fs.copyFileSync(path.join(from, file), path.join(dataDir, file));
    }
    return manifest;
  } finally {
    release();
  }
}
