import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, launchChromium, screenshot, seriousA11yViolations, watchCsp } from '../helpers/browser.ts';
import { api, runCli, startServer, type ServerProcess } from '../helpers/server.ts';

// One server, one browser: the tests below are one story, in order, as a new user would live it.
let server: ServerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Content-Security-Policy violations the browser reported; each test must leave none. */
let csp: string[] = [];
const PASSWORD = 'correct horse battery';

/** The numbers a Chart.js chart has drawn on the canvas `id` (null when none is drawn, or not sized yet). */
const plotted = (page: Page, id: string) =>
  page.evaluate((canvasId) => {
    const drawn = (globalThis as any).Chart.getChart(canvasId);
    if (!drawn || drawn.width === 0) return null;
    return drawn.data.datasets
      .flatMap((d: { data: unknown[] }) => d.data)
      .filter((v: unknown) => typeof v === 'number');
  }, id) as Promise<number[] | null>;

/** What a Chart.js chart drew: its type, per dataset the values and how many points are drawn, and its axes. */
interface DrawnChart {
  type: string;
  datasets: { label: string; data: (number | null)[]; drawn: number }[];
  axes: Record<string, { title: string | null; ticks: number[] }>;
}
const drawnChart = (page: Page, id: string) =>
  page.evaluate((canvasId) => {
    const chart = (globalThis as any).Chart.getChart(canvasId);
    if (!chart) return null;
    return {
      type: chart.config.type,
      datasets: chart.data.datasets.map((d: any, i: number) => ({
        label: d.label,
        data: d.data,
        drawn: chart.getDatasetMeta(i).data.filter((point: any) => !point.skip).length,
      })),
      axes: Object.fromEntries(
        Object.entries(chart.scales).map(([axis, scale]: [string, any]) => [
          axis,
          {
            title: scale.options.title?.display ? scale.options.title.text : null,
            ticks: scale.ticks.map((t: any) => t.value),
          },
        ]),
      ),
    };
  }, id) as Promise<DrawnChart | null>;

const backlog = async () => (await api(server.url, 'GET', '/api/imports?limit=1')).body.backlog.events as number;

beforeAll(async () => {
  // Loads happen only when asked, so the backlog is ours to observe.
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '1h' });
  const created = await runCli(['admin', 'create', '--username', 'admin', '--password', PASSWORD], {
    STEPLOG_DATA_DIR: server.dataDir,
  });
  expect(created, created.stderr).toMatchObject({ code: 0 });
  browser = await launchChromium();
  context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  csp = watchCsp(page);
  page.setDefaultTimeout(10_000);
});
afterEach(() => {
  expect(csp.splice(0)).toEqual([]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the web pages in Chromium', () => {
  it('sends a visitor to the login form, refuses a wrong password, and logs the admin in', async () => {
    await page.goto('/admin/tasks/new');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    expect(await seriousA11yViolations(page)).toEqual([]);

    // Keyboard only: the username field has focus, Tab reaches the password, Enter submits.
    const logIn = async (password: string) => {
      expect(await page.locator('#username:focus').count()).toBe(1);
      await page.keyboard.type('admin');
      await page.keyboard.press('Tab');
      await page.keyboard.type(password);
      await page.keyboard.press('Enter');
    };
    await logIn('wrong password');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Wrong username or password');
    await screenshot(page, '01-login-refused');
    await logIn(PASSWORD);
    await page.waitForURL('**/admin/tasks/new');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'steplog_session')).toMatchObject({
      httpOnly: true,
      secure: true,
      sameSite: 'Strict',
    });
  });

  it('creates a task with an expected answer', async () => {
    await page.getByLabel('Title').fill('Two plus two');
    await page.getByLabel('Text').fill('What is 2 + 2?');
    await page.getByLabel(/Expected answer/).fill('4');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain('Saved.');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '02-admin-task-created');
    const { body } = await api(server.url, 'GET', '/api/tasks');
    expect(body.tasks).toEqual([{ id: 1, title: 'Two plus two', text: 'What is 2 + 2?' }]);
  });

  it('shows an empty dashboard before anything is loaded', async () => {
    await page.goto('/dashboard');
    await expect.poll(() => page.locator('#total-events').textContent()).toBe('0');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '03-dashboard-before-load');
  });

  it('acts as a new user: view, a wrong submit, then a solve, each through POST /api/events', async () => {
    await page.goto('/');
    await page.getByText('Create a user').click();
    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email (optional)').fill('ada@example.com');
    await page.getByLabel(/Registered/).check();
    await page.getByRole('button', { name: 'Create user' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Created registered user Ada Lovelace');

    await page.getByRole('button', { name: 'Two plus two' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('view recorded');
    // The answer field has focus: the rest is keyboard only.
    await page.keyboard.type('5');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Not quite');
    await page.getByLabel('Your answer').fill(' 4 ');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Correct!');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '04-task-page-solved');

    expect(await backlog()).toBe(4); // view, submit, submit, solve
  });

  it('runs a load from the admin imports page and the backlog empties', async () => {
    await page.goto('/admin/imports');
    expect(await page.locator('#backlog-events').textContent()).toBe('4');
    await page.getByRole('button', { name: 'Run a load now' }).click();
    await expect.poll(() => page.locator('#backlog-events').textContent()).toBe('0');
    const firstJob = page.locator('tbody tr').first();
    expect(await firstJob.locator('td').allTextContents()).toEqual(
      expect.arrayContaining(['manual', 'succeeded', '4']),
    );
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '05-admin-imports-after-load');
  });

  it('shows the loaded events on the dashboard', async () => {
    await page.goto('/dashboard');
    await expect.poll(() => page.locator('#total-events').textContent()).toBe('4');
    expect(await page.locator('#peak-users').textContent()).toBe('1');
    // Every chart has drawn data now: the marts and stats endpoints answered for the loaded events.
    for (const chart of ['active', 'actions', 'funnel', 'retention', 'ingest']) {
      const hasData = async () => ((await plotted(page, chart)) ?? []).some((v) => v > 0);
      await expect.poll(hasData, { message: chart }).toBe(true);
    }
    expect(await page.locator('.no-data').count()).toBe(0);
    // Charts shown after being hidden are sized on the next frames: let them paint before the picture.
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))');
    await screenshot(page, '06-dashboard-after-load');
  });

  it('draws no retention point for a week that has not happened, and titles every axis', async () => {
    // Ada joined this week: week 0 is 100 %, weeks 1…7 are in the future — null, not 0 %.
    const retention = await drawnChart(page, 'retention');
    expect(retention?.datasets).toEqual([
      { label: expect.stringContaining('(1)'), data: [100, ...Array(7).fill(null)], drawn: 1 },
    ]);
    expect(retention?.axes.y?.title).toBe('% of the cohort active');
    expect(retention?.axes.x?.title).toBe('weeks since the join week');

    // The ingest chart's two y axes are titled; the backlog axis counts whole events.
    const ingest = await drawnChart(page, 'ingest');
    expect(ingest?.axes.y?.title).toBe('events per minute');
    expect(ingest?.axes.backlog?.title).toBe('backlog (undelivered events)');
    for (const axis of ['y', 'backlog']) expect(ingest?.axes[axis]?.ticks.every(Number.isInteger)).toBe(true);
    await screenshot(page, '06b-dashboard-retention-and-ingest-axes');
  });

  it('runs the saved seed Part 4 query in the SQL console, as a table and a chart', async () => {
    await page.goto('/admin/sql');
    await page.getByRole('button', { name: /^Seed Part 4/ }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('row(s)');
    const rows = await Promise.all(
      (await page.locator('#sql-result tbody tr').all()).map((row) => row.locator('td').allTextContents()),
    );
    const today = new Date().toISOString().slice(0, 10);
    // The saved query orders by day only: the order of the actions within the day is the engine's.
    expect(rows.sort((a, b) => a[2]!.localeCompare(b[2]!))).toEqual([
      [today, 'Ada Lovelace', '0', '1'],
      [today, 'Ada Lovelace', '1', '2'],
      [today, 'Ada Lovelace', '2', '1'],
    ]);
    // The chart plots the last column (events) of the same rows: x the day, one series per user · action.
    await expect.poll(() => plotted(page, 'sql-chart')).toHaveLength(3);
    const chart = await drawnChart(page, 'sql-chart');
    expect(Object.fromEntries(chart!.datasets.map((d) => [d.label, d.data]))).toEqual({
      'Ada Lovelace · 0': [1],
      'Ada Lovelace · 1': [2],
      'Ada Lovelace · 2': [1],
    });
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '07-sql-console-part4');
  });

  it('charts a daily series as a line, and refuses to chart 2,479 rows', async () => {
    const runQuery = async (sql: string) => {
      await page.getByLabel('SQL').fill(sql);
      await page.getByRole('button', { name: 'Run' }).click();
    };
    await runQuery(
      "SELECT toDate('2026-11-01') + arrayJoin(range(30)) AS day, toUInt32(toDayOfMonth(day)) AS n ORDER BY day",
    );
    await expect.poll(() => page.getByRole('status').textContent()).toBe('30 row(s).');
    const daily = await drawnChart(page, 'sql-chart');
    expect(daily).toMatchObject({ type: 'line', axes: { x: { title: 'day' }, y: { title: 'n' } } });
    expect(daily?.datasets.map((d) => d.data)).toEqual([Array.from({ length: 30 }, (_, i) => i + 1)]);
    await screenshot(page, '07b-sql-console-daily-line');

    await runQuery('SELECT arrayJoin(range(2479)) AS i, toUInt32(i % 7) AS v');
    await expect.poll(() => page.getByRole('status').textContent()).toBe('2479 row(s).');
    expect(await page.locator('#sql-chart').isHidden()).toBe(true);
    expect(await page.locator('.no-data').textContent()).toBe(
      'No chart: 2479 values of i in 1 series; a chart shows at most 200 values in 8 series (aggregate the query to chart it)',
    );
    expect(await page.locator('#sql-result tbody tr').count()).toBe(2479);
    await screenshot(page, '07c-sql-console-too-many-rows');
  });

  it('shows the console refusing a query that would read a file', async () => {
    await page.getByLabel('SQL').fill("SELECT * FROM file('/etc/hostname', 'LineAsString')");
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('not allowed in the console');
    await screenshot(page, '08-sql-console-readonly-refusal');
  });

  it('serves Redoc with every asset from this server, its logo included', async () => {
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto('/redoc');
    const logo = page.getByAltText('redocly logo');
    await expect
      .poll(() => logo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);
    expect(await logo.getAttribute('src')).toBe('/redoc/logo-mini.svg');
    await expect.poll(() => page.getByText('users_activity').count()).toBeGreaterThan(0);
    page.removeAllListeners('request');
    const local = [server.url, `blob:${server.url}`, 'data:'];
    expect(requested.filter((url) => !local.some((prefix) => url.startsWith(prefix)))).toEqual([]);
    // The logo sits at the foot of the menu: a picture of the window, not of the 18,000-pixel page.
    await page.screenshot({ path: path.join(ARTIFACTS, '10-redoc-offline.png') });
  });

  it('finds the user on the admin users page', async () => {
    await page.goto('/admin/users');
    await page.getByLabel('Search name or email').fill('LOVELACE');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => page.locator('caption').textContent()).toContain('1 user(s)');
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '09-admin-users-search');
  });

  it('serves every page with the security headers, and the API documents pass their CSP too', async () => {
    for (const route of [
      '/',
      '/dashboard',
      '/dashboard/site',
      '/admin/users',
      '/admin/sql',
      '/admin/login',
      '/docs/',
      '/redoc',
    ]) {
      const response = await page.goto(route);
      const headers = response!.headers();
      expect(headers['content-security-policy'], route).toContain("frame-ancestors 'none'");
      expect(headers['x-frame-options'], route).toBe('DENY');
      expect(headers['x-content-type-options'], route).toBe('nosniff');
      expect(headers['referrer-policy'], route).toBe('no-referrer');
    }
    await page.goto('/docs/');
    await expect.poll(() => page.getByRole('button', { name: /Authorize/ }).count()).toBeGreaterThan(0);
    await page.goto('/redoc');
    await expect.poll(() => page.locator('.api-content').count()).toBeGreaterThan(0);
  });
});
