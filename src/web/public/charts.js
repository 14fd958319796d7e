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
