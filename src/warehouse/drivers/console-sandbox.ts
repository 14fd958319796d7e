/**
 * What a console query may touch, decided on ClickHouse's own parse tree (`EXPLAIN AST`), not on
 * the text: readonly=1 refuses writes, DDL, settings changes and table functions that write, but
 * not the scalar file(), the `system` tables or functions that reveal the host. Tables must be in
 * the `steplog` database (or unqualified: a CTE, or the session's empty default database); table
 * functions may only make rows; functions that read files, the network or the server's internals
 * are refused.
 */
const TABLE_FUNCTIONS = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'values',
  'generaterandom',
  'null',
  'view',
  'generate_series',
  'generateseries',
]);
const HOST_FUNCTIONS = new Set([
  'file',
  'input',
  'url',
  's3',
  'hdfs',
  'remote',
  'remotesecure',
  'cluster',
  'clusterallreplicas',
  'executable',
  'getsetting',
  'getsettingordefault',
  'getserversetting',
  'getmergetreesetting',
  'hascolumnintable',
  'currentuser',
  'user',
  'currentroles',
  'enabledroles',
  'defaultroles',
  'currentprofiles',
  'initialqueryid',
  'queryid',
  'hostname',
  'fqdn',
  'tcpport',
  'serveruuid',
  'getmacro',
  'displayname',
  'uptime',
  'buildid',
  'getoskernelversion',
  'globalvariable',
  'filesystemavailable',
  'filesystemcapacity',
  'filesystemunreserved',
  'filesystemfree',
  'catboostevaluate',
  'naivebayesclassifier',
  'joinget',
  'joingetornull',
  'dictionary',
  'shardnum',
  'shardcount',
]);
/** Function families, by prefix: dictionaries (which can be backed by files or servers), and the like. */
const HOST_PREFIXES = ['dictget', 'dicthas', 'dictisin', 'getsetting', 'filesystem'];
export const CONSOLE_DATABASE = 'steplog';

const LINE = /^( *)(\w+)(?: ([^ (]+))?/;

/** Why the query is refused, or undefined when it may run. `ast` is the text of `EXPLAIN AST`. */
export function sandboxViolation(ast: string): string | undefined {
  const path: { depth: number; node: string }[] = [];
  for (const line of ast.split('\n')) {
    const match = LINE.exec(line);
    if (!match) continue;
    const [, indent = '', node = '', name = ''] = match;
    while (path.length > 0 && path.at(-1)!.depth >= indent.length) path.pop();
    const parent = path.at(-1)?.node;
    path.push({ depth: indent.length, node });
    const lower = name.toLowerCase();
    if (node === 'TableIdentifier' && name.includes('.') && name.split('.')[0] !== CONSOLE_DATABASE) {
      return `the console reads only the ${CONSOLE_DATABASE} database, not ${name}`;
    }
    if (node === 'Function' && parent === 'TableExpression' && !TABLE_FUNCTIONS.has(lower)) {
      return `the table function ${name}() is not allowed in the console`;
    }
    if (node === 'Function' && (HOST_FUNCTIONS.has(lower) || HOST_PREFIXES.some((p) => lower.startsWith(p)))) {
      return `the function ${name}() reads the host or the server and is not allowed in the console`;
    }
  }
  return undefined;
}
