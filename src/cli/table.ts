import Table from 'cli-table3';

/** Prints rows as a terminal table; plain (no colour codes) when stdout is not a terminal. */
export function printTable(head: string[], rows: (string | number)[][]): void {
  const plain = !process.stdout.isTTY;
  const table = new Table({ head, ...(plain ? { style: { head: [], border: [] } } : {}) });
  table.push(...rows);
  console.log(table.toString());
}
