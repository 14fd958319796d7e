import { api } from './api.js';
import { draw, noData, PALETTE } from './charts.js';

const sql = document.getElementById('sql');
const status = document.getElementById('sql-status');
const result = document.getElementById('sql-result');
const NUMERIC = /^(U?Int|Float|Decimal)/;

function table({ columns, rows }) {
  const el = document.createElement('table');
  const caption = el.createCaption();
  caption.textContent = `${rows.length} row(s)`;
  const head = el.createTHead().insertRow();
  for (const c of columns)
    head.append(Object.assign(document.createElement('th'), { scope: 'col', textContent: c.name }));
  const body = el.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const value of row)
      tr.insertCell().textContent = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return el;
}

/** The last column is the value when it is numeric; the columns before it label each bar or point. */
function chart({ columns, rows }) {
  const value = columns.length - 1;
  if (rows.length === 0 || value < 1 || !NUMERIC.test(columns[value].type)) {
    return noData('sql-chart', 'a chart needs label columns followed by a numeric last column');
  }
  draw('sql-chart', {
    type: rows.length > 30 ? 'line' : 'bar',
    data: {
      labels: rows.map((r) => r.slice(0, value).join(' · ')),
      datasets: [
        {
          label: columns[value].name,
          data: rows.map((r) => Number(r[value])),
          backgroundColor: PALETTE[0],
          borderColor: PALETTE[0],
        },
      ],
    },
  });
}

async function run() {
  status.textContent = 'Running…';
  result.replaceChildren();
  try {
    const data = await api('POST', '/admin/sql/run', { sql: sql.value });
    result.append(table(data));
    chart(data);
    status.textContent = `${data.rows.length} row(s)${data.truncated ? ' (cut off)' : ''}.`;
  } catch (error) {
    noData('sql-chart', 'the query failed');
    status.textContent = `Error: ${error.message}`;
  }
}

document.getElementById('run').addEventListener('click', () => void run());
sql.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void run();
});
for (const button of document.querySelectorAll('.load-query')) {
  button.addEventListener('click', () => {
    sql.value = button.dataset.sql;
    document.getElementById('query-name').value = button.dataset.name;
    void run();
  });
}
const preselected = new URLSearchParams(location.search).get('query');
if (preselected) document.querySelector(`.load-query[data-id="${CSS.escape(preselected)}"]`)?.click();
