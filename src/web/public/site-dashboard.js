import { api } from './api.js';
import { bar, draw, drawActivity, line, noData, section } from './charts.js';

// The site marts (/api/marts/site/*) drawn as they answer: every number on the page is the API's.
const DAY = 86_400_000;
const form = document.getElementById('range');
const fromInput = document.getElementById('from');
const toInput = document.getElementById('to');
const conversionInput = document.getElementById('conversion');
const isoDay = (t) => new Date(t).toISOString().slice(0, 10);
const percent = (share) => `${(share * 100).toFixed(1)} %`;

toInput.value = isoDay(Date.now());
fromInput.value = isoDay(Date.now() - 29 * DAY);

const titled = (text) => ({ beginAtZero: true, title: { display: true, text } });

async function activity(range) {
  const daily = await drawActivity('activity', '/api/marts/site/users-activity/series', range, {
    scales: { y: titled('distinct visitors') },
  });
  document.getElementById('peak-visitors').textContent = Math.max(0, ...daily.map((p) => p.users));
}

async function eventsPerDay(range) {
  const { rows } = await api('GET', `/api/marts/site/events-per-day?${range}`);
  document.getElementById('total-events').textContent = rows.reduce((sum, r) => sum + r.events, 0);
  if (rows.length === 0) throw new Error('no site events in the range');
  const days = [...new Set(rows.map((r) => r.date))].sort();
  const kinds = [...new Set(rows.map((r) => `${r.name} × ${r.obj}`))].sort();
  const cell = new Map(rows.map((r) => [`${r.date} ${r.name} × ${r.obj}`, r.events]));
  draw('events', {
    type: 'bar',
    data: {
      labels: days,
      datasets: kinds.map((kind, i) =>
        bar(
          kind,
          days.map((d) => cell.get(`${d} ${kind}`) ?? 0),
          i,
        ),
      ),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, ...titled('events') } } },
  });
}

async function sessions(range) {
  const mart = await api('GET', `/api/marts/site/sessions?${range}`);
  const total = mart.days.reduce((sum, d) => sum + d.sessions, 0);
  document.getElementById('total-sessions').textContent = total;
  if (total === 0) {
    for (const id of ['sessions', 'durations', 'session-events']) noData(id, 'no sessions in the range');
    return;
  }
  draw('sessions', {
    type: 'bar',
    data: {
      labels: mart.days.map((d) => d.date),
      datasets: [
        {
          type: 'bar',
          ...bar(
            'sessions',
            mart.days.map((d) => d.sessions),
            0,
          ),
        },
        {
          type: 'line',
          ...line(
            'mean duration (min)',
            mart.days.map((d) => (d.avg_duration_s === null ? null : d.avg_duration_s / 60)),
            1,
          ),
          yAxisID: 'minutes',
        },
      ],
    },
    options: {
      scales: {
        y: { ...titled('sessions'), ticks: { precision: 0 } },
        minutes: { position: 'right', ...titled('mean duration, minutes'), grid: { drawOnChartArea: false } },
      },
    },
  });
  const minutes = (s) => (s < 3600 ? `${s / 60} min` : `${s / 3600} h`);
  draw('durations', {
    type: 'bar',
    data: {
      labels: mart.durations.map((b, i, all) =>
        i + 1 < all.length ? `${minutes(b.from_s)}–${minutes(all[i + 1].from_s)}` : `${minutes(b.from_s)}+`,
      ),
      datasets: [
        bar(
          'sessions',
          mart.durations.map((b) => b.sessions),
          2,
        ),
      ],
    },
    options: { scales: { y: { ...titled('sessions'), ticks: { precision: 0 } } } },
  });
  draw('session-events', {
    type: 'bar',
    data: {
      labels: mart.events_per_session.map((b, i, all) => {
        const next = all[i + 1]?.from_events;
        if (next === undefined) return `${b.from_events}+`;
        return next - 1 === b.from_events ? `${b.from_events}` : `${b.from_events}–${next - 1}`;
      }),
      datasets: [
        bar(
          'sessions',
          mart.events_per_session.map((b) => b.sessions),
          4,
        ),
      ],
    },
    options: { scales: { y: { ...titled('sessions'), ticks: { precision: 0 } } } },
  });
}

async function experiments(range) {
  const conversion = encodeURIComponent(conversionInput.value);
  const { experiments } = await api('GET', `/api/marts/site/experiments?${range}&conversion=${conversion}`);
  const rows = experiments.flatMap((e) =>
    e.variants.map((v) => ({ experiment: e.experiment, control: e.control, ...v })),
  );
  const body = document.querySelector('#experiments-table tbody');
  body.replaceChildren(
    ...rows.map((r) => {
      const tr = document.createElement('tr');
      const ci = r.vs_control;
      const cells = [
        r.experiment,
        r.variant === r.control ? `${r.variant} (control)` : r.variant,
        r.users,
        r.converted,
        percent(r.conversion),
        r.amount_per_user.toFixed(2),
        ci === null ? '–' : `${percent(ci.difference)} (${percent(ci.low)} … ${percent(ci.high)})`,
      ];
      tr.append(...cells.map((text) => Object.assign(document.createElement('td'), { textContent: String(text) })));
      return tr;
    }),
  );
  if (rows.length === 0) throw new Error('no visitor in an experiment in the range');
  draw('experiments', {
    type: 'bar',
    data: {
      labels: rows.map((r) => `${r.experiment}: ${r.variant}`),
      datasets: [
        bar(
          'conversion %',
          rows.map((r) => r.conversion * 100),
          0,
        ),
        // A floating bar from the low to the high end of the interval; none for a control.
        bar(
          'difference vs control, 95 % CI (points)',
          rows.map((r) => (r.vs_control === null ? null : [r.vs_control.low * 100, r.vs_control.high * 100])),
          3,
        ),
      ],
    },
    options: { scales: { y: { title: { display: true, text: '% of exposed visitors' } } } },
  });
}

async function topPages(range) {
  const { pages } = await api('GET', `/api/marts/site/top-pages?${range}&limit=10`);
  if (pages.length === 0) throw new Error('no page events in the range');
  draw('pages', {
    type: 'bar',
    data: {
      labels: pages.map((p) => p.url),
      datasets: [
        bar(
          'events',
          pages.map((p) => p.events),
          0,
        ),
        bar(
          'visitors',
          pages.map((p) => p.users),
          2,
        ),
      ],
    },
    options: { indexAxis: 'y', scales: { x: titled('events / visitors') } },
  });
}

async function topProducts(range) {
  const { products } = await api('GET', `/api/marts/site/top-products?${range}&limit=10`);
  if (products.length === 0) throw new Error('no product events in the range');
  draw('products', {
    type: 'bar',
    data: {
      labels: products.map((p) => `product ${p.product_id}`),
      datasets: [
        bar(
          'events',
          products.map((p) => p.events),
          0,
        ),
        bar(
          'purchases',
          products.map((p) => p.purchases),
          3,
        ),
      ],
    },
    options: { indexAxis: 'y', scales: { x: titled('events / purchases') } },
  });
}

async function refresh() {
  const range = new URLSearchParams({ from: fromInput.value, to: toInput.value }).toString();
  await Promise.all([
    section('activity', () => activity(range)),
    section('events', () => eventsPerDay(range)),
    section('sessions', () => sessions(range)),
    section('experiments', () => experiments(range)),
    section('pages', () => topPages(range)),
    section('products', () => topProducts(range)),
  ]);
  document.getElementById('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void refresh();
});
void refresh();
