/**
 * The memory a steplog process may need, from the settings that size its work: what
 * STEPLOG_MEMORY_LIMIT is checked against at start, so that no batch size or request size can
 * take the process past it. Figures measured on this code (`bench/mem-probe.ts`: the peak RSS of
 * a load of 100,000 events, VmHWM, above the RSS before it; the 1M batch took 3.3 GiB),
 * rounded up into the constants below:
 *
 * | batch size | peak above the idle process | LOAD_FIXED_BYTES + rows × LOAD_BYTES_PER_ROW |
 * | ---------- | --------------------------- | -------------------------------------------- |
 * | 2,000      | 55 MiB                      | 136 MiB                                      |
 * | 10,000     | 105 MiB                     | 167 MiB                                      |
 * | 50,000     | 290 MiB                     | 323 MiB                                      |
 * | 100,000    | 389 MiB                     | 519 MiB                                      |
 *
 * (the rows read from the store, their denormalized copies, the JSON block and chDB's own parse
 * of it, for two batches at once: the loader forms the next batch while the current one inserts,
 * and holds no third — see EventLoader). test/loader/load-memory.test.ts measures a load against
 * its share on every run.
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
