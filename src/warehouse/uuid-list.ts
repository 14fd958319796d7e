const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Canonical UUIDs as a comma-separated list of SQL literals; anything else throws, so inlining is safe. */
export function uuidList(ids: readonly string[]): string {
  return ids
    .map((id) => {
      if (!UUID.test(id)) throw new Error(`not a canonical UUID: ${id}`);
      return `'${id}'`;
    })
    .join(',');
}
