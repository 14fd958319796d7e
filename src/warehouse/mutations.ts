import { AppError } from '../errors/app-error.ts';
import { WAREHOUSE_DB, type Warehouse } from './warehouse.ts';

const POLL_MS = 50;

/** A mutation did not finish within STEPLOG_MUTATION_TIMEOUT: the operation stopped, and can be run again. */
export class MutationTimeoutError extends AppError {
  readonly code = 'mutation_timeout';
  readonly httpStatus = 504;
  override readonly logLevel = 'error';
}

/**
 * ALTER TABLE … DELETE, waited for: a mutation runs in the background on every engine. Where the
 * engine records why a mutation is stuck, that reason fails the wait; elsewhere (18.16) a mutation
 * that fails on every try never finishes, so the wait is bounded by `timeoutMs`, after which the
 * table's unfinished mutations are killed — a stuck one would hold every later mutation of the
 * table behind it — and the call fails naming the table and the bound.
 */
export async function deleteRows(warehouse: Warehouse, table: string, where: string, timeoutMs: number): Promise<void> {
  await warehouse.exec(`ALTER TABLE ${WAREHOUSE_DB}.${table} DELETE WHERE ${where}`);
  const reason = warehouse.capabilities.mutationFailReason ? 'any(latest_fail_reason)' : "''";
  const unfinished = `database = '${WAREHOUSE_DB}' AND table = '${table}' AND is_done = 0`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [pending] = await warehouse.query<{ n: string | number; reason: string }>(
      `SELECT count() AS n, ${reason} AS reason FROM system.mutations WHERE ${unfinished}`,
    );
    if (Number(pending?.n ?? 0) === 0) return;
    if (pending?.reason) throw new Error(`deleting from ${table} failed: ${pending.reason}`);
    if (Date.now() >= deadline) {
      await warehouse.exec(`KILL MUTATION WHERE ${unfinished}`).catch(() => undefined);
      throw new MutationTimeoutError(
        `deleting from ${WAREHOUSE_DB}.${table} did not finish within ${timeoutMs} ms (STEPLOG_MUTATION_TIMEOUT); ` +
          'the mutation was killed and the operation stopped: see system.mutations, then run it again',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
