import fs from 'node:fs';
import path from 'node:path';

/** The data dir is owned by one process (chDB allows no more); its pid is kept in this file. */
const lockFile = (dataDir: string) => path.join(dataDir, 'steplog.pid');

export class DataDirBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`data dir ${dataDir} is in use by process ${pid}`);
    this.name = 'DataDirBusyError';
  }
}

/** The pid of the live process that owns the data dir, or null (a stale file from a killed one counts as free). */
export function dataDirOwner(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lockFile(dataDir), 'utf8').trim());
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

/** Takes the data dir for this process; returns the release function. */
export function lockDataDir(dataDir: string): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const owner = dataDirOwner(dataDir);
  if (owner !== null) throw new DataDirBusyError(dataDir, owner);
  fs.writeFileSync(lockFile(dataDir), `${process.pid}\n`);
  return () => {
    if (dataDirOwner(dataDir) === null) fs.rmSync(lockFile(dataDir), { force: true });
  };
}
