/**
 * steplog's DDL on a replicated ClickHouse cluster (STEPLOG_CLICKHOUSE_CLUSTER). Migrations are
 * written once, for one server; on a cluster the migrator passes each statement through
 * `onCluster`, so a future migration needs nothing special:
 * - every MergeTree-family engine becomes its Replicated twin, at the ZooKeeper path
 *   `/clickhouse/tables/{shard}/steplog/<table>` with replica `{replica}` (the servers' macros);
 * - CREATE, DROP and ALTER run `ON CLUSTER <name>`: on every replica, in the one order the
 *   cluster's DDL queue gives them. (A replicated ALTER is also passed on through ZooKeeper;
 *   ON CLUSTER is harmless there and needed for everything that is not replicated.)
 * Anything else (INSERT … SELECT) runs on one replica and reaches the others by replication.
 */

/** A cluster name as remote_servers spells it; it is inlined into statements. */
export const CLUSTER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const NAME = String.raw`[A-Za-z_][A-Za-z0-9_.]*`;
const DDL_HEAD = new RegExp(
  String.raw`^(\s*(?:CREATE|DROP)\s+(?:TABLE|DATABASE|MATERIALIZED\s+VIEW|VIEW)(?:\s+IF(?:\s+NOT)?\s+EXISTS)?\s+${NAME}` +
    String.raw`|\s*ALTER\s+TABLE\s+${NAME})`,
  'i',
);
const CREATE_TABLE = new RegExp(String.raw`^\s*CREATE\s+TABLE(?:\s+IF\s+NOT\s+EXISTS)?\s+(${NAME})`, 'i');
/** `ENGINE = <X>MergeTree(<args>)`; the arguments of steplog's engines hold no parentheses. */
const MERGE_TREE = /\bENGINE\s*=\s*(?!Replicated)(\w*MergeTree)\s*(?:\(([^()]*)\))?/i;

/** A ReplicatedMergeTree's ZooKeeper path for a steplog table (one shard per `{shard}` macro). */
export const replicaPath = (table: string): string => `/clickhouse/tables/{shard}/steplog/${table}`;

/** The statement as it runs on `cluster`: replicated engines, ON CLUSTER for DDL. */
export function onCluster(statement: string, cluster: string): string {
  if (!CLUSTER_NAME.test(cluster)) throw new Error(`not a cluster name: ${cluster}`);
  const head = DDL_HEAD.exec(statement);
  if (!head) return statement;
  let rewritten = `${head[1]} ON CLUSTER ${cluster}${statement.slice(head[1]!.length)}`;
  const created = CREATE_TABLE.exec(statement);
  if (created) {
    const table = created[1]!.split('.').at(-1)!;
    rewritten = rewritten.replace(MERGE_TREE, (_, engine: string, args: string | undefined) => {
      const replication = `'${replicaPath(table)}', '{replica}'`;
      const rest = args?.trim() ? `, ${args.trim()}` : '';
      return `ENGINE = Replicated${engine}(${replication}${rest})`;
    });
  }
  return rewritten;
}

/**
 * A table's CREATE statement (SHOW CREATE TABLE) as a local copy named `name`: the same columns,
 * partitioning and key, on the non-replicated twin of a Replicated engine. A staging table must be
 * local: `CREATE TABLE … AS <replicated>` would claim the original's ZooKeeper path and fail.
 */
export function localCopy(createStatement: string, name: string): string {
  return createStatement
    .replace(/^\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[^\s(]+/i, `CREATE TABLE ${name}`)
    .replace(
      /\bENGINE\s*=\s*Replicated(\w*MergeTree)\s*\(\s*'(?:[^'\\]|\\.)*'\s*,\s*'(?:[^'\\]|\\.)*'\s*,?\s*/i,
      'ENGINE = $1(',
    );
}
