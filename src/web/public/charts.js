import { api } from './api.js';

// Chart.js (served from node_modules as /assets/vendor/chart.umd.min.js) with a "no data" fallback.
const charts = new Map();

export const PALETTE = ['#1f6feb', '#d97706', '#15803d', '#b91c1c', '#7c3aed', '#0e7490', '#be185d', '#4d7c0f'];

export function draw(canvasId, config) {
  const canvas = document.getElementById(canvasId);
  canvas.parentElement.querySelector('.no-data')?.remove();
  canvas.hidden = false;
  charts.get(canvasId)?.destroy();
  charts.set(
    canvasId,
    new Chart(canvas, { ...config, options: { animation: false, maintainAspectRatio: false, ...config.options } }),
  );
}

/** Hides the chart and says why in its place: `No data: <reason>`, or another `lead`. */
export function noData(canvasId, reason, lead = 'No data') {
  const canvas = document.getElementById(canvasId);
  charts.get(canvasId)?.destroy();
  charts.delete(canvasId);
  canvas.hidden = true;
  let note = canvas.parentElement.querySelector('.no-data');
  if (!note) {
    note = Object.assign(document.createElement('p'), { className: 'no-data' });
    canvas.parentElement.append(note);
  }
  note.textContent = `${lead}: ${reason}`;
}

/** A line dataset and a bar dataset in the palette's `i`th colour. */
export const line = (label, data, i) => ({
  label,
  data,
  borderColor: PALETTE[i % PALETTE.length],
  backgroundColor: PALETTE[i % PALETTE.length],
  tension: 0.2,
});
export const bar = (label, data, i) => ({ label, data, backgroundColor: PALETTE[i % PALETTE.length] });

/** Each chart fails alone: an endpoint that is down, or a range without data, says so in its place. */
export async function section(canvasId, render) {
  try {
    await render();
  } catch (error) {
    noData(canvasId, error.message);
  }
}

/**
 * DAU, WAU and MAU as three lines: the users-activity series at `path` over windows of 1, 7 and 30
 * days ending at each day of the range. Answers the daily series.
 */
export async function drawActivity(canvasId, path, range, options = {}) {
  const series = await Promise.all([1, 7, 30].map((days) => api('GET', `${path}?days=${days}&${range}`)));
  draw(canvasId, {
    type: 'line',
    data: {
      labels: series[0].series.map((p) => p.date),
      datasets: ['DAU', 'WAU', 'MAU'].map((name, i) =>
        line(
          name,
          series[i].series.map((p) => p.users),
          i,
        ),
      ),
    },
    options,
  });
  return series[0].series;
}
