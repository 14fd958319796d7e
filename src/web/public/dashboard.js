import { api } from './api.js';
import { bar, draw, drawActivity, line, section } from './charts.js';

const DAY = 86_400_000;
const REFRESH_MS = 30_000;
const form = document.getElementById('range');
const fromInput = document.getElementById('from');
const toInput = document.getElementById('to');
const isoDay = (t) => new Date(t).toISOString().slice(0, 10);

toInput.value = isoDay(Date.now());
fromInput.value = isoDay(Date.now() - 29 * DAY);

async function activeUsers(range) {
  try {
    await drawActivity('active', '/api/marts/users-activity/series', range);
  } catch {
    // Until the marts exist, daily unique users over the raw events still give the DAU line.
    const { days } = await api('GET', `/api/stats/daily-users?${range}`);
    draw('active', {
      type: 'line',
      data: {
        labels: days.map((d) => d.day),
        datasets: [
          line(
            'DAU',
            days.map((d) => d.users),
            0,
          ),
        ],
      },
    });
  }
}

async function totals(range) {
  const [{ days }, imports] = await Promise.all([
    api('GET', `/api/stats/daily-users?${range}`),
    api('GET', '/api/imports?limit=1'),
  ]);
  document.getElementById('total-events').textContent = days.reduce((sum, d) => sum + d.events, 0);
  document.getElementById('peak-users').textContent = Math.max(0, ...days.map((d) => d.users));
  document.getElementById('backlog').textContent = imports.backlog.events;
}

async function refresh() {
  const range = new URLSearchParams({ from: fromInput.value, to: toInput.value }).toString();
  await Promise.all([
    totals(range).catch(() => undefined),
    section('active', () => activeUsers(range)),
    section('actions', async () => {
      const { days } = await api('GET', `/api/stats/events-per-day?${range}`);
      const labels = days.map((d) => d.day);
      draw('actions', {
        type: 'bar',
        data: {
          labels,
          datasets: ['view', 'submit', 'solve'].map((a, i) =>
            bar(
              a,
              days.map((d) => d[a]),
              i,
            ),
          ),
        },
        options: { scales: { x: { stacked: true }, y: { stacked: true } } },
      });
    }),
    section('funnel', async () => {
      const { steps } = await api('GET', `/api/marts/funnel?${range}`);
      if (steps.length === 0) throw new Error('no steps in the range');
      draw('funnel', {
        type: 'bar',
        data: {
          labels: steps.map((s) => `step ${s.step_id}`),
          datasets: ['viewed', 'submitted', 'solved'].map((k, i) =>
            bar(
              k,
              steps.map((s) => s[k]),
              i,
            ),
          ),
        },
      });
    }),
    section('retention', async () => {
      const { cohorts } = await api('GET', `/api/marts/retention?${range}&weeks=8`);
      if (cohorts.length === 0) throw new Error('no cohorts in the range');
      const weeks = Math.max(...cohorts.map((c) => c.active.length));
      draw('retention', {
        type: 'line',
        data: {
          labels: Array.from({ length: weeks }, (_, i) => `week ${i}`),
          datasets: cohorts.map((c, i) =>
            line(
              `${c.cohort_week} (${c.users})`,
              // A week that has not happened is null: no point, not 0 %.
              c.active.map((s) => (s === null ? null : s * 100)),
              i,
            ),
          ),
        },
        options: {
          // A cohort's lone point at 100 % sits on the top edge: draw it whole.
          datasets: { line: { clip: false, pointRadius: 4 } },
          scales: {
            x: { title: { display: true, text: 'weeks since the join week' } },
            y: { min: 0, max: 100, title: { display: true, text: '% of the cohort active' } },
          },
        },
      });
    }),
    section('ingest', async () => {
      const { minutes } = await api('GET', '/api/stats/ingest');
      draw('ingest', {
        type: 'bar',
        data: {
          labels: minutes.map((m) => m.minute.slice(11, 16)),
          datasets: [
            {
              type: 'bar',
              ...bar(
                'received',
                minutes.map((m) => m.received),
                0,
              ),
            },
            {
              type: 'bar',
              ...bar(
                'loaded',
                minutes.map((m) => m.loaded),
                2,
              ),
            },
            {
              type: 'line',
              ...line(
                'backlog',
                minutes.map((m) => m.backlog),
                1,
              ),
              yAxisID: 'backlog',
            },
          ],
        },
        options: {
          scales: {
            y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'events per minute' } },
            backlog: {
              position: 'right',
              beginAtZero: true,
              // Whole events; an empty backlog shows 0…10 rather than 0…1.
              suggestedMax: 10,
              ticks: { precision: 0 },
              grid: { drawOnChartArea: false },
              title: { display: true, text: 'backlog (undelivered events)' },
            },
          },
        },
      });
    }),
  ]);
  document.getElementById('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void refresh();
});
setInterval(() => {
  if (document.getElementById('auto-refresh').checked) void refresh();
}, REFRESH_MS);
void refresh();
