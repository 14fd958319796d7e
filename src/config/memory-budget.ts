/**
 * The memory a steplog process may need, from the settings that size its work: what
 * STEPLOG_MEMORY_LIMIT is checked against at start, so that no batch size or request size can
 * take the process past it. A load's figures measured on this code (`bench/mem-probe.ts`: the
 * peak RSS, VmHWM, of a load of three full batches above the RSS before it — the loader holds two
 * batches at once, forming the next while the current one inserts), rounded up into the constants
 * below:
 *
 * | batch size | peak above the process before the load | LOAD_FIXED_BYTES + rows × LOAD_BYTES_PER_ROW |
 * | ---------- | -------------------------------------- | -------------------------------------------- |
 * | 2,000      | 15–19 MiB                              | 136 MiB                                      |
 * | 10,000     | 47–58 MiB                              | 167 MiB                                      |
 * | 50,000     | 132–138 MiB                            | 323 MiB                                      |
 * | 100,000    | 184–257 MiB                            | 519 MiB                                      |
 * | 1,000,000  | 2,046–2,490 MiB                        | 4,034 MiB                                    |
 *
 * What grows with the batch size is the rows held: the events read from the store and their
 * denormalized rows (about 360 bytes a row a batch, for two batches, and the next batch's rows as
 * the store returns them) and the garbage the heap lets grow between collections, most of the
 * figure at 1,000,000. What an insert costs (its payload and chDB's parse of it, about 2.5 KB a
 * row of the insert) stays that of INSERT_BLOCK_ROWS rows whatever the batch size
 * (src/loader/blocks.ts). Inserting each batch whole, loads of 50,000-row batches peaked at
 * 268–357 MiB and of 100,000-row ones at 443–560 MiB, past this budget.
 * test/loader/load-memory.test.ts measures a load of three 100,000-row batches against its share
 * on every run.
 *
 * These are learning events of users with short names. Users with names and emails as long as
 * accepted (200 characters, the name Cyrillic) make a row's payload about 2.5 times larger; with
 * three batches of 100,000 they peaked at 398–481 MiB, inside the budget (4 KiB a row rather than
 * the 3 KiB short names would need: pieces are cut by rows only, never by payload size, because
 * a row's size depends on user attributes that can change before an in-doubt batch is inserted
 * again, and its pieces' tokens must not). Site events near their limits (a 2,048-character url,
 * 32 experiments of 100 + 100 characters: about 9,000 characters a row) are not inside it: three
 * batches peaked at 198 MiB (1,000 a batch), 482 MiB (2,000) and 1,161–1,405 MiB (10,000); such
 * loads need batches bounded in bytes, not rows (not built).
 */
const MiB = 1024 * 1024;

/** A serving process before its first load (Node, the HTTP stack, SQLite and chDB loaded): 370–400 MiB measured. */
export const IDLE_BYTES = 512 * MiB;
/** A load's cost whatever its size. */
export const LOAD_FIXED_BYTES = 128 * MiB;
/** A load's cost per row of its batch. */
export const LOAD_BYTES_PER_ROW = 4096;
/** A request's cost per byte of its body: the body, its string, the parsed JSON and the normalized events. */
export const REQUEST_BYTES_PER_BODY_BYTE = 8;

export interface MemorySizing {
  readonly batchSize: number;
  readonly bodyLimitBytes: number;
  /** What one SQL console query may use, when the warehouse runs in this process (chDB); 0 otherwise. */
  readonly inProcessQueryBytes: number;
}

/** Each part of the need, and their sum, in bytes. */
export function memoryNeeded({ batchSize, bodyLimitBytes, inProcessQueryBytes }: MemorySizing) {
  const load = LOAD_FIXED_BYTES + batchSize * LOAD_BYTES_PER_ROW;
  const request = bodyLimitBytes * REQUEST_BYTES_PER_BODY_BYTE;
  return {
    idle: IDLE_BYTES,
    load,
    request,
    query: inProcessQueryBytes,
    total: IDLE_BYTES + load + request + inProcessQueryBytes,
  };
}

const mib = (bytes: number) => `${Math.ceil(bytes / MiB).toLocaleString('en')} MiB`;

/** Why `limitBytes` cannot hold what these settings allow, or null when it can. */
export function memoryRefusal(limitBytes: number, sizing: MemorySizing): string | null {
  const need = memoryNeeded(sizing);
  if (need.total <= limitBytes) return null;
  return (
    `${mib(limitBytes)} cannot hold what the settings allow: ${mib(need.idle)} idle ` +
    `+ ${mib(need.load)} for a load of STEPLOG_BATCH_SIZE=${sizing.batchSize} rows ` +
    `+ ${mib(need.request)} for a request of STEPLOG_BODY_LIMIT=${sizing.bodyLimitBytes} bytes` +
    (need.query > 0
      ? ` + ${mib(need.query)} for a console query (STEPLOG_SQL_MAX_MEMORY; chDB runs in this process)`
      : '') +
    ` = ${mib(need.total)}: lower those settings or raise the limit`
  );
}
