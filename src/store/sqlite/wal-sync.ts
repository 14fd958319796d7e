import fs from 'node:fs/promises';
import path from 'node:path';
import { StoreUnavailableError } from '../errors.ts';

/** An fsync of one file, as a promise (off the event loop, in libuv's thread pool). */
export type FileSync = (file: string) => Promise<void>;

/**
 * fdatasyncs the file (as SQLite's own sync does on Linux: data and the size needed to read it) on
 * a descriptor of its own, which flushes the file's pages whoever wrote them. A file that does not
 * exist has nothing to flush: SQLite deletes its WAL only after checkpointing it into the database,
 * which it syncs itself.
 */
export const fsyncFile: FileSync = async (file) => {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
};

/**
 * Makes SQLite's commits durable without blocking the event loop. SQLite runs with
 * `synchronous = NORMAL`: a commit writes its WAL frames to the OS and returns, and a checkpoint
 * fsyncs the WAL before copying it and the database after, so a commit survives a process crash at
 * once. For power loss too, every caller who wrote waits for `afterCommit()`: an fsync of the WAL
 * that began after its commit, issued from the thread pool while the event loop goes on.
 * Commits that end while an fsync runs share the next one (group fsync), as FULL would have them
 * each pay one on the event loop.
 */
export class WalSync {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private directorySynced = false;

  constructor(
    private readonly databaseFile: string,
    private readonly syncFile: FileSync = fsyncFile,
  ) {}

  /** Resolves once everything committed before the call is on disk; StoreUnavailableError when the fsync failed. */
  afterCommit(): Promise<void> {
    // An fsync already running may have begun before this commit's frames were written: wait for the next.
    if (this.running) {
      this.queued ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.queued = null;
          return this.start();
        });
      return this.queued;
    }
    return this.start();
  }

  private start(): Promise<void> {
    const running = this.flush().finally(() => {
      if (this.running === running) this.running = null;
    });
    this.running = running;
    return running;
  }

  private async flush(): Promise<void> {
    try {
      await this.syncFile(`${this.databaseFile}-wal`);
      // The WAL's directory entry, once: a file just created is not durable until its directory is.
      if (!this.directorySynced) {
        await this.syncFile(path.dirname(this.databaseFile));
        this.directorySynced = true;
      }
    } catch (error) {
      throw new StoreUnavailableError(`the store cannot make its commits durable: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
}
