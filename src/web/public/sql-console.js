import { api } from './api.js';
import { noData } from './charts.js';
import { chartResult } from './sql-chart.js';

const sql = document.getElementById('sql');
const status = document.getElementById('sql-status');
const result = document.getElementById('sql-result');

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

async function run() {
  status.textContent = 'Running…';
  result.replaceChildren();
  try {
    const data = await api('POST', '/admin/sql/run', { sql: sql.value });
    result.append(table(data));
    chartResult(data);
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
