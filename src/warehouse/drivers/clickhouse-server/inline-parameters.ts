/** `{name:Type}`, as ClickHouse writes a query parameter. */
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*):([^{}]+)\}/g;
/** A type name as our SQL files write them: no quotes, semicolons or comments can hide in it. */
const TYPE = /^[A-Za-z][A-Za-z0-9_]*(\([A-Za-z0-9_, ()]*\))?$/;
/** One element of an array literal: a quoted string (with backslash escapes) or a number. */
const ELEMENT = /\s*(?:'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?))\s*(,|$)/y;

const quote = (text: string) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function scalar(value: string | number, type: string): string {
  // A string literal is a String already: long id lists stay short.
  if (type === 'String' && typeof value === 'string') return quote(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
    return `CAST(${value} AS ${type})`;
  }
  return `CAST(${quote(value)} AS ${type})`;
}

/** The elements of a ClickHouse array literal such as `['a','b']` or `[1,2]`. */
function arrayElements(literal: string): (string | number)[] {
  const inner = /^\s*\[(.*)\]\s*$/s.exec(literal)?.[1];
  if (inner === undefined) throw new Error(`not an array literal: ${literal.slice(0, 40)}`);
  const out: (string | number)[] = [];
  ELEMENT.lastIndex = 0;
  while (ELEMENT.lastIndex < inner.length) {
    const start = ELEMENT.lastIndex;
    const match = ELEMENT.exec(inner);
    if (!match || match.index !== start)
      throw new Error(`cannot read the array literal at: ${inner.slice(start, start + 40)}`);
    out.push(match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : Number(match[2]));
    if (match[3] === '') break;
  }
  return out;
}

/**
 * The query with each `{name:Type}` replaced by a typed literal, for servers that cannot bind
 * parameters (before 19.11): `CAST('2024-01-01' AS Date)`, `CAST(7 AS UInt32)`. Strings are
 * escaped, numbers must be finite, types must look like types, so no value can change the query's
 * shape. An `Array(T)` value (its ClickHouse literal) becomes a tuple of typed elements, which is
 * what `x IN {ids:Array(T)}` needs. The text can outgrow max_query_size (256 KiB): the driver raises
 * it for such a query.
 */
export function inlineParameters(sql: string, params: Readonly<Record<string, string | number>>): string {
  return sql.replace(PLACEHOLDER, (_, name: string, rawType: string) => {
    const type = rawType.trim();
    if (!TYPE.test(type)) throw new Error(`unexpected parameter type ${type}`);
    const value = params[name];
    if (value === undefined) throw new Error(`no value for the parameter {${name}:${type}}`);
    const element = /^Array\((.+)\)$/.exec(type)?.[1];
    if (element === undefined) return scalar(value, type);
    const items = arrayElements(String(value));
    if (items.length === 0) throw new Error(`the array parameter ${name} is empty`);
    return `(${items.map((item) => scalar(item, element)).join(', ')})`;
  });
}
