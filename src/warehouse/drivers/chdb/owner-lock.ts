import fs from 'node:fs';
import path from 'node:path';
import { WarehouseInUseError } from '../../warehouse.ts';

/** chDB lets one process own its directory; the owner's pid is kept in this file inside it. */
const lockFile = (dir: string) => path.join(dir, 'steplog.pid');

/** The pid of the live process that owns `dir`, or null (a stale file from a killed one counts as free). */
function owner(dir: string): number | null {
  let pid: number;
  try {
    pid = Number(fs.readFileSync(lockFile(dir), 'utf8').trim());
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

/** Takes `dir` for this process, or throws WarehouseInUseError naming the owner; returns the release function. */
export function lockOwnerDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const pid = owner(dir);
  if (pid !== null) throw new WarehouseInUseError(`the embedded warehouse in ${dir} is in use by process ${pid}`);
  fs.writeFileSync(lockFile(dir), `${process.pid}\n`);
  return () => {
    if (owner(dir) === null) fs.rmSync(lockFile(dir), { force: true });
  };
}
