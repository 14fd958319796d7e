const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The lower-case 8-4-4-4-12 form the API stores and the warehouse prints. */
export const isCanonicalUuid = (id: string): boolean => UUID.test(id);

/** Canonical UUIDs as a comma-separated list of SQL literals; anything else throws, so inlining is safe. */
export function uuidList(ids: readonly string[]): string {
  return ids
    .map((id) => {
      if (!isCanonicalUuid(id)) throw new Error(`not a canonical UUID: ${id}`);
      return `'${id}'`;
    })
    .join(',');
}
