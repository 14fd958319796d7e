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

const COMMENTS = /\/\*[\s\S]*?\*\/|--[^\n]*/g;

/**
 * The same rules for engines without `EXPLAIN AST` (ClickHouse before 20.6, whose readonly=1
 * already refuses every table function, so no file(), url() or remote()): read on the query's
 * words, erring towards refusing. Quotes around identifiers and comments are dropped first, so
 * `"system"."one"`, or a comment between `system` and `.one`, are still seen; a word inside a string literal may refuse
 * a harmless query. `databases` are the server's (a `db.table` naming another one is refused).
 */
export function textSandboxViolation(sql: string, databases: readonly string[]): string | undefined {
  const words = sql.replace(COMMENTS, ' ').replace(/[`"]/g, '').toLowerCase();
  const others = new Set(databases.map((d) => d.toLowerCase()).filter((d) => d !== CONSOLE_DATABASE));
  for (const [, database = '', table = ''] of words.matchAll(/([a-z_][a-z0-9_]*)\s*\.\s*([a-z_][a-z0-9_]*)/g)) {
    if (others.has(database))
      return `the console reads only the ${CONSOLE_DATABASE} database, not ${database}.${table}`;
  }
  for (const [, name = ''] of words.matchAll(/([a-z_][a-z0-9_]*)\s*\(/g)) {
    if (HOST_FUNCTIONS.has(name) || HOST_PREFIXES.some((p) => name.startsWith(p))) {
      return `the function ${name}() reads the host or the server and is not allowed in the console`;
    }
  }
  return undefined;
}

/** Where a quoted literal or identifier opened at `start` ends (backslash escapes, doubled quotes). */
function endOfQuoted(sql: string, start: number): number {
  const quote = sql[start];
  for (let i = start + 1; i < sql.length; i++) {
    if (sql[i] === '\\') i++;
    else if (sql[i] === quote) {
      if (sql[i + 1] !== quote) return i + 1;
      i++;
    }
  }
  return sql.length;
}

/** Why a console text with a `;` between statements is refused (see separatesStatements). */
export const ONE_STATEMENT = 'the console runs one SELECT: remove the ";" between statements';

/** The index just past the next match of `end` (a global regex) from `from`, or the text's end. */
function after(sql: string, end: RegExp, from: number): number {
  end.lastIndex = from;
  const match = end.exec(sql);
  return match ? match.index + match[0].length : sql.length;
}

/**
 * Whether the text holds a `;` that ends a statement: chDB runs every statement of a multi-statement
 * text, so one query could carry a DROP past the sandbox (and past readonly, which the wrapper sets
 * on its last statement only). Quoted strings and identifiers and comments are skipped; block
 * comments do not nest here (ending them early only shows more text), and after a `#` or `$`
 * (comment and heredoc forms of newer engines) any later `;` counts: a doubt refuses.
 */
export function separatesStatements(sql: string): boolean {
  for (let i = 0; i < sql.length;) {
    const c = sql[i];
    if (c === ';') return true;
    if (c === "'" || c === '"' || c === '`') i = endOfQuoted(sql, i);
    else if (c === '-' && sql[i + 1] === '-') i = after(sql, /[\r\n]/g, i);
    else if (c === '/' && sql[i + 1] === '*') i = after(sql, /\*\//g, i + 2);
    else if (c === '#' || c === '$') return sql.includes(';', i);
    else i++;
  }
  return false;
}
