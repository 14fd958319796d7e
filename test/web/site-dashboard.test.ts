import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../src/analytics/days.ts';
import { random } from '../../src/loadgen/random.ts';
import { planSiteEvents } from '../../src/loadgen/site/visit-flow.ts';
import { launchChromium, screenshot, seriousA11yViolations, watchCsp } from '../helpers/browser.ts';
import { api, runCli, startServer, type ServerProcess } from '../helpers/server.ts';

let server: ServerProcess;
let browser: Browser;
let page: Page;
let csp: string[] = [];
const PASSWORD = 'correct horse battery';
const now = Date.now();
const today = new Date(now).toISOString().slice(0, 10);
const from = new Date(now - 29 * DAY_MS).toISOString().slice(0, 10);
const range = `from=${from}&to=${today}`;

/** Per dataset of the Chart.js chart on canvas `id`: its label and values as drawn (null before it is drawn). */
const datasets = (id: string) =>
  page.evaluate((canvasId) => {
    const chart = (globalThis as any).Chart.getChart(canvasId);
    if (!chart || chart.width === 0) return null;
    return {
      labels: chart.data.labels,
      datasets: chart.data.datasets.map((d: any) => ({ label: d.label, data: d.data })),
    };
  }, id) as Promise<{ labels: string[]; datasets: { label: string; data: unknown[] }[] } | null>;

const mart = async (route: string) => {
  const answer = await api(server.url, 'GET', `/api/marts/site/${route}`);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body;
};

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' });
  const created = await runCli(['admin', 'create', '--username', 'admin', '--password', PASSWORD], {
    STEPLOG_DATA_DIR: server.dataDir,
  });
  expect(created, created.stderr).toMatchObject({ code: 0 });
  // De-demo traffic over the last three weeks, as `steplog load --family site` sends it.
  const events = planSiteEvents(random(4), {
    events: 3_000,
    start: now - 21 * DAY_MS,
    end: now,
    runTag: '00000001',
    firstVisitor: 1,
    visitors: 120,
    products: 30,
  });
  for (let i = 0; i < events.length; i += 1000) {
    const batch = events.slice(i, i + 1000).map((e) => ({
      event_id: e.eventId,
      dt: new Date(e.time).toISOString(),
      name: e.name,
      user_id: e.userId,
      url: e.url,
      obj: e.obj,
      obj_id: e.objId,
      product_id: e.productId,
      amount: e.amount,
      exp: e.exp,
    }));
    const sent = await api(server.url, 'POST', '/api/site-events/batch', { events: batch });
    expect(sent.body.accepted, JSON.stringify(sent.body).slice(0, 500)).toBe(batch.length);
  }
  expect((await api(server.url, 'POST', '/api/imports')).status).toBe(200);
  expect((await api(server.url, 'GET', '/api/imports?limit=1')).body.backlog).toMatchObject({
    events: 0,
    families: { learning: 0, site: 0 },
  });

  browser = await launchChromium();
  const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  csp = watchCsp(page);
  page.setDefaultTimeout(10_000);
  await page.goto('/admin/login');
  await page.getByLabel('Username').fill('admin');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL((url) => url.pathname !== '/admin/login');
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the site dashboard in Chromium', () => {
  it('is linked from the dashboard and draws every site mart with the API’s numbers', async () => {
    await page.goto('/dashboard');
    await page.getByRole('main').getByRole('link', { name: 'site dashboard' }).click();
    await page.waitForURL('**/dashboard/site');
    for (const id of [
      'activity',
      'events',
      'sessions',
      'durations',
      'session-events',
      'experiments',
      'pages',
      'products',
    ]) {
      await expect.poll(() => datasets(id), { message: id }).not.toBeNull();
    }
    expect(await page.locator('.no-data').count()).toBe(0);

    const [dau, wau, mau] = await Promise.all(
      [1, 7, 30].map((days) => mart(`users-activity/series?days=${days}&${range}`)),
    );
    const activity = await datasets('activity');
    expect(activity!.labels).toEqual(dau.series.map((p: { date: string }) => p.date));
    expect(activity!.datasets).toEqual(
      [dau, wau, mau].map((s, i) => ({
        label: ['DAU', 'WAU', 'MAU'][i],
        data: s.series.map((p: { users: number }) => p.users),
      })),
    );
    expect(Math.max(...(activity!.datasets[2]!.data as number[]))).toBeGreaterThan(0);

    const { rows } = await mart(`events-per-day?${range}`);
    const events = await datasets('events');
    const drawnCells = events!.datasets.flatMap((d) =>
      d.data.map((n, i) => [`${events!.labels[i]} ${d.label}`, n] as const).filter(([, n]) => n !== 0),
    );
    expect(Object.fromEntries(drawnCells)).toEqual(
      Object.fromEntries(rows.map((r: any) => [`${r.date} ${r.name} × ${r.obj}`, r.events])),
    );
    const total = rows.reduce((sum: number, r: { events: number }) => sum + r.events, 0);
    expect(total).toBe(3_000);
    expect(await page.locator('#total-events').textContent()).toBe('3000');

    const sessionsMart = await mart(`sessions?${range}`);
    const sessions = await datasets('sessions');
    expect(sessions!.datasets[0]!.data).toEqual(sessionsMart.days.map((d: { sessions: number }) => d.sessions));
    expect((await datasets('durations'))!.datasets[0]!.data).toEqual(
      sessionsMart.durations.map((b: { sessions: number }) => b.sessions),
    );
    expect((await datasets('session-events'))!.datasets[0]!.data).toEqual(
      sessionsMart.events_per_session.map((b: { sessions: number }) => b.sessions),
    );
    const sessionCount = sessionsMart.days.reduce((sum: number, d: { sessions: number }) => sum + d.sessions, 0);
    expect(await page.locator('#total-sessions').textContent()).toBe(String(sessionCount));

    const { experiments } = await mart(`experiments?${range}&conversion=purchase`);
    const variants = experiments.flatMap((e: any) => e.variants.map((v: any) => ({ experiment: e.experiment, ...v })));
    expect(variants.length).toBe(4); // checkout a/b, recs a-popular/b-personal
    const drawnExperiments = await datasets('experiments');
    expect(drawnExperiments!.labels).toEqual(variants.map((v: any) => `${v.experiment}: ${v.variant}`));
    expect(drawnExperiments!.datasets[0]!.data).toEqual(variants.map((v: any) => v.conversion * 100));
    expect(drawnExperiments!.datasets[1]!.data).toEqual(
      variants.map((v: any) => (v.vs_control === null ? null : [v.vs_control.low * 100, v.vs_control.high * 100])),
    );
    const table = await Promise.all(
      (await page.locator('#experiments-table tbody tr').all()).map((row) => row.locator('td').allTextContents()),
    );
    expect(table.map((cells) => [cells[0], cells[2], cells[3]])).toEqual(
      variants.map((v: any) => [v.experiment, String(v.users), String(v.converted)]),
    );

    const { pages } = await mart(`top-pages?${range}&limit=10`);
    const drawnPages = await datasets('pages');
    expect(drawnPages!.labels).toEqual(pages.map((p: { url: string }) => p.url));
    expect(drawnPages!.datasets[0]!.data).toEqual(pages.map((p: { events: number }) => p.events));
    const { products } = await mart(`top-products?${range}&limit=10`);
    const drawnProducts = await datasets('products');
    expect(drawnProducts!.labels).toEqual(products.map((p: { product_id: number }) => `product ${p.product_id}`));
    expect(drawnProducts!.datasets[1]!.data).toEqual(products.map((p: { purchases: number }) => p.purchases));

    expect(await seriousA11yViolations(page)).toEqual([]);
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await screenshot(page, '07-site-dashboard');
    expect(csp).toEqual([]);
  });
});
