/** A JSONCompact answer of the warehouse: column names and types, then rows. */
export interface JsonCompact {
  meta: { name: string; type: string }[];
  data: unknown[][];
}

const NUMERIC = /^(Nullable\()?(U?Int|Float|Decimal)/;
/** Cells a spreadsheet would run as a formula (OWASP's CSV injection list). */
const FORMULA = /^[=+\-@\t\r]/;

const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;

/** A text cell, with a leading `'` when a spreadsheet would take it for a formula. */
const textCell = (text: string) => quote(FORMULA.test(text) ? `'${text}` : text);

function cell(value: unknown, numeric: boolean): string {
  if (value === null || value === undefined) return '';
  if (numeric && (typeof value === 'number' || typeof value === 'string')) return String(value);
  return textCell(typeof value === 'string' ? value : JSON.stringify(value));
}

/** RFC 4180 CSV with a header row; numbers stay bare, every other value is a neutralised, quoted string. */
export function toCsv(result: JsonCompact, maxRows: number): string {
  const numeric = result.meta.map((column) => NUMERIC.test(column.type));
  const lines = [result.meta.map((column) => textCell(column.name)).join(',')];
  for (const row of result.data.slice(0, maxRows)) lines.push(row.map((v, i) => cell(v, numeric[i]!)).join(','));
  return `${lines.join('\n')}\n`;
}
