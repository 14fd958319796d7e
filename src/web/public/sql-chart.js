// The SQL console's automatic chart: a chart only when one reads well, else a note saying why.
import { draw, noData, PALETTE } from './charts.js';

/** Most x values a chart shows; a result with more is a table, not a chart. */
export const MAX_POINTS = 200;
/** Most series (distinct values of the label columns after the first) in one chart. */
export const MAX_SERIES = PALETTE.length;
const NUMERIC = /^(Nullable\()?(U?Int|Float|Decimal)/;
const TEMPORAL = /^(Nullable\()?Date/;

/**
 * The last column is the value when it is numeric; the first column is the x axis; the columns in
 * between split the rows into series (one line or bar colour each). Dates and times on x give a
 * line chart, anything else bars. Too many x values or series: no chart.
 */
export function chartResult({ columns, rows }) {
  const value = columns.length - 1;
  if (rows.length === 0 || value < 1 || !NUMERIC.test(columns[value].type)) {
    return noData('sql-chart', 'a chart needs label columns followed by a numeric last column', 'No chart');
  }
  const xs = [...new Set(rows.map((r) => String(r[0])))];
  const seriesKey = (r) => r.slice(1, value).join(' · ') || columns[value].name;
  const series = [...new Set(rows.map(seriesKey))];
  if (xs.length > MAX_POINTS || series.length > MAX_SERIES) {
    return noData(
      'sql-chart',
      `${xs.length} values of ${columns[0].name} in ${series.length} series; a chart shows at most ` +
        `${MAX_POINTS} values in ${MAX_SERIES} series (aggregate the query to chart it)`,
      'No chart',
    );
  }
  const at = new Map(rows.map((r) => [`${seriesKey(r)}\u0000${String(r[0])}`, Number(r[value])]));
  const temporal = TEMPORAL.test(columns[0].type) && xs.length > 1;
  draw('sql-chart', {
    type: temporal ? 'line' : 'bar',
    data: {
      labels: xs,
      datasets: series.map((name, i) => ({
        label: name,
        data: xs.map((x) => at.get(`${name}\u0000${x}`) ?? null),
        backgroundColor: PALETTE[i],
        borderColor: PALETTE[i],
      })),
    },
    options: {
      scales: {
        x: { title: { display: true, text: columns[0].name } },
        y: { beginAtZero: true, title: { display: true, text: columns[value].name } },
      },
    },
  });
}
