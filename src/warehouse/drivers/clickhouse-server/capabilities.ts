import type { WarehouseCapabilities } from '../../warehouse.ts';

/** What a ClickHouse server of a given version can do, beyond the flags every warehouse has. */
export interface ServerCapabilities extends WarehouseCapabilities {
  /** `EXPLAIN AST` (20.6+): the console sandbox reads the server's own parse tree. */
  readonly explainAst: boolean;
}

/** The first version of each feature steplog uses when it is there. */
const SINCE = {
  // HTTP `param_<name>` values for `{name:Type}` placeholders.
  serverSideParameters: [19, 11],
  // insert_deduplication_token (22.2), with the per-view deduplication of a repeated token settled
  // in the 23.x line; older servers take the loader's path for engines without tokens.
  insertDeduplication: [23, 8],
  explainAst: [20, 6],
  mutationFailReason: [19, 1],
} as const;

/** Parses `SELECT version()` (e.g. 18.16.1, 24.8.4.13) into capability flags. */
export function capabilitiesOf(version: string): ServerCapabilities {
  const match = /^(\d+)\.(\d+)/.exec(version.trim());
  if (!match) throw new Error(`cannot read the ClickHouse version "${version}"`);
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const atLeast = ([a, b]: readonly [number, number]) => major > a || (major === a && minor >= b);
  return {
    serverSideParameters: atLeast(SINCE.serverSideParameters),
    insertDeduplication: atLeast(SINCE.insertDeduplication),
    explainAst: atLeast(SINCE.explainAst),
    mutationFailReason: atLeast(SINCE.mutationFailReason),
  };
}
