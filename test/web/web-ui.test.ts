import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, screenshot, seriousA11yViolations, watchCsp } from '../helpers/browser.ts';
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

  it('runs the saved seed Part 4 query in the SQL console, as a table and a chart', async () => {
    await page.goto('/admin/sql');
    await page.getByRole('button', { name: /^Seed Part 4/ }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('row(s)');
    const rows = await Promise.all(
      (await page.locator('#sql-result tbody tr').all()).map((row) => row.locator('td').allTextContents()),
    );
    const today = new Date().toISOString().slice(0, 10);
    // The saved query orders by day only: rows of one day come in any order.
    expect(rows.sort((a, b) => a[2]!.localeCompare(b[2]!))).toEqual([
      [today, 'Ada Lovelace', '0', '1'],
      [today, 'Ada Lovelace', '1', '2'],
      [today, 'Ada Lovelace', '2', '1'],
    ]);
    // The chart plots the last column (events) of the same rows.
    await expect.poll(async () => (await plotted(page, 'sql-chart'))?.sort()).toEqual([1, 1, 2]);
    expect(await seriousA11yViolations(page)).toEqual([]);
    await screenshot(page, '07-sql-console-part4');
  });

  it('shows the engine refusing a query that would read a file in readonly mode', async () => {
    await page.getByLabel('SQL').fill("SELECT * FROM file('/etc/hostname', 'LineAsString')");
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toContain('readonly');
    await screenshot(page, '08-sql-console-readonly-refusal');
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
    for (const route of ['/', '/dashboard', '/admin/users', '/admin/sql', '/admin/login', '/docs/', '/redoc']) {
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
