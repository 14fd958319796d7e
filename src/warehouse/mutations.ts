import { WAREHOUSE_DB, type Warehouse } from './warehouse.ts';

const POLL_MS = 50;

/**
 * ALTER TABLE … DELETE, waited for: a mutation runs in the background on every engine. Where the
 * engine records why a mutation is stuck, that reason fails the wait; elsewhere it waits on.
 */
export async function deleteRows(warehouse: Warehouse, table: string, where: string): Promise<void> {
  await warehouse.exec(`ALTER TABLE ${WAREHOUSE_DB}.${table} DELETE WHERE ${where}`);
  const reason = warehouse.capabilities.mutationFailReason ? 'any(latest_fail_reason)' : "''";
  for (;;) {
    const [pending] = await warehouse.query<{ n: string | number; reason: string }>(
      `SELECT count() AS n, ${reason} AS reason FROM system.mutations ` +
        `WHERE database = '${WAREHOUSE_DB}' AND table = '${table}' AND is_done = 0`,
    );
    if (Number(pending?.n ?? 0) === 0) return;
    if (pending?.reason) throw new Error(`deleting from ${table} failed: ${pending.reason}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
