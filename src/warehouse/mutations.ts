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
 * table behind it — and the call fails naming the table, the bound and the mutations. 18.16 has
 * no KILL MUTATION (measured: a syntax error): there the message says how to remove one by hand.
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
    if (Date.now() >= deadline) throw await timedOut(warehouse, table, unfinished, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function timedOut(warehouse: Warehouse, table: string, unfinished: string, timeoutMs: number) {
  const stuck = await warehouse.query<{ mutation_id: string }>(
    `SELECT mutation_id FROM system.mutations WHERE ${unfinished} ORDER BY mutation_id`,
  );
  const killed = await warehouse.exec(`KILL MUTATION WHERE ${unfinished}`).then(
    () => true,
    () => false,
  );
  const ids = stuck.map((m) => m.mutation_id).join(', ');
  return new MutationTimeoutError(
    `deleting from ${WAREHOUSE_DB}.${table} did not finish within ${timeoutMs} ms (STEPLOG_MUTATION_TIMEOUT; ` +
      `mutations ${ids}); the operation stopped and can be run again: ` +
      (killed
        ? 'the mutations were killed'
        : 'this engine cannot KILL MUTATION, so they stay in system.mutations and hold back later mutations of ' +
          'the table until they finish, or until their files are removed from the table’s data directory and the server restarted'),
  );
}
