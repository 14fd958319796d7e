import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daysBetween } from '../../src/analytics/days.ts';
import type { EventsPerDay } from '../../src/analytics/events-per-day.ts';
import type { ActionId, NewEvent } from '../../src/events/event.ts';
import { MartModel, type ModelEvent, type ModelUser } from '../analytics/model.ts';
import { random, uuidFor } from '../helpers/fixtures.ts';
import { api, runCli, startServer, type ServerProcess } from '../helpers/server.ts';

let server: ServerProcess;
const users = new Map<number, ModelUser>();
const START = Date.UTC(2026, 9, 1);
const rnd = random(9);
const events: NewEvent[] = Array.from({ length: 600 }, (_, i) => ({
  eventId: uuidFor(9_000_000 + i),
  time: START + Math.floor(rnd() * 30 * 86_400_000),
  userId: 1 + Math.floor(rnd() * 25),
  stepId: 1 + Math.floor(rnd() * 4),
  actionId: Math.floor(rnd() * 3) as ActionId,
}));
/** Guests stay guests here: every event is loaded with its user's status at creation. */
const guest = (userId: number) => userId % 5 === 0;
const modelEvents: ModelEvent[] = events.map((e) => ({ ...e, guest: guest(e.userId) }));
const model = new MartModel(modelEvents, users);
const today = new Date().toISOString().slice(0, 10);
const toBody = (e: NewEvent) => ({
  event_id: e.eventId,
  time: new Date(e.time).toISOString(),
  user_id: e.userId,
  step_id: e.stepId,
  action_id: e.actionId,
});

beforeAll(async () => {
  server = await startServer({ STEPLOG_FLUSH_INTERVAL: '5m' });
  for (let id = 1; id <= 25; id++) {
    const joinDate = new Date(START + ((id * 7) % 20) * 86_400_000 - 5 * 86_400_000).toISOString();
    expect(
      (
        await api(server.url, 'POST', '/api/users', {
          name: `u${id}`,
          join_date: joinDate,
          ...(guest(id) ? {} : { registration_date: joinDate }),
        })
      ).body.id,
    ).toBe(id);
    users.set(id, { joinDay: joinDate.slice(0, 10) });
  }
  for (let id = 1; id <= 4; id++) {
    expect((await api(server.url, 'POST', '/api/tasks', { title: `step ${id}` })).body.id).toBe(id);
  }
  expect((await api(server.url, 'POST', '/api/events/batch', { events: events.map(toBody) })).body.accepted).toBe(600);
  expect((await api(server.url, 'POST', '/api/imports')).body).toMatchObject({ status: 'succeeded', rows: 600 });
});
afterAll(async () => {
  await server?.stop();
});

describe('mart endpoints', () => {
  it('answer users-activity for one window and as a series', async () => {
    const one = await api(server.url, 'GET', '/api/marts/users-activity?days=7&date=2026-10-20');
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ days: 7, ...model.usersActivity(7, '2026-10-20') });
    const series = await api(
      server.url,
      'GET',
      '/api/marts/users-activity/series?days=30&from=2026-10-01&to=2026-10-31',
    );
    expect(series.body.series).toHaveLength(31);
    expect(series.body.series[30]).toEqual(model.usersActivity(30, '2026-10-31'));
  });

  it('answer funnel, step difficulty, retention and events per day as the model computes them', async () => {
    const range = 'from=2026-10-01&to=2026-10-31';
    expect((await api(server.url, 'GET', `/api/marts/funnel?${range}`)).body).toEqual({
      steps: model.funnel('2026-10-01', '2026-10-31'),
    });
    expect((await api(server.url, 'GET', `/api/marts/funnel?${range}&step_id=2`)).body.steps).toEqual(
      model.funnel('2026-10-01', '2026-10-31').filter((s) => s.step_id === 2),
    );
    expect((await api(server.url, 'GET', `/api/marts/step-difficulty?${range}`)).body).toEqual({
      steps: model.stepDifficulty('2026-10-01', '2026-10-31'),
    });
    expect((await api(server.url, 'GET', `/api/marts/retention?from=2026-09-20&to=2026-10-31&weeks=5`)).body).toEqual({
      cohorts: model.retention('2026-09-20', '2026-10-31', 5, today),
    });
    const perDay = await api<{ days: EventsPerDay[] }>(server.url, 'GET', `/api/stats/events-per-day?${range}`);
    expect(perDay.body.days.filter((d) => d.view + d.submit + d.solve > 0)).toEqual(
      model.eventsPerDay('2026-10-01', '2026-10-31'),
    );
  });

  it('answer every day of a range, the idle days before, between and after the events with zeros', async () => {
    // The events fall on 2026-10-01 … 2026-10-30; the range reaches idle days on both sides.
    const [from, to] = ['2026-09-27', '2026-11-03'];
    const perDay = await api<{ days: EventsPerDay[] }>(
      server.url,
      'GET',
      `/api/stats/events-per-day?from=${from}&to=${to}`,
    );
    expect(perDay.body.days).toEqual(
      daysBetween(from, to).map((day) => model.eventsPerDay(day, day)[0] ?? { day, view: 0, submit: 0, solve: 0 }),
    );
    const idle = perDay.body.days.filter((d) => d.view + d.submit + d.solve === 0).map((d) => d.day);
    expect(idle).toEqual(expect.arrayContaining(['2026-09-27', '2026-09-30', '2026-10-31', '2026-11-03']));
    const dailyUsers = await api(server.url, 'GET', `/api/stats/daily-users?from=${from}&to=${to}`);
    expect(dailyUsers.body.days.map((d: { day: string }) => d.day)).toEqual(daysBetween(from, to));
    const series = await api(server.url, 'GET', `/api/marts/users-activity/series?days=1&from=${from}&to=${to}`);
    expect(series.body.series).toEqual(daysBetween(from, to).map((date) => model.usersActivity(1, date)));
  });

  it.each([
    ['/api/marts/users-activity?days=0&date=2026-10-20', 'days'],
    ['/api/marts/users-activity?days=5000&date=2026-10-20', 'days'],
    ['/api/marts/users-activity?days=7&date=2026-02-30', 'date'],
    ['/api/marts/users-activity/series?days=7&from=2026-10-10&to=2026-10-01', 'to'],
    ['/api/marts/users-activity/series?days=3000&from=2020-01-01&to=2026-10-01', 'days'],
    ['/api/marts/funnel?from=2026-10-01&to=2026-10-31&step=1', 'step'],
    ['/api/marts/retention?from=2026-10-01&to=2026-10-31&weeks=500', 'weeks'],
    ['/api/stats/events-per-day?from=2026-10-01', 'to'],
  ])('reject %s naming %s', async (route, field) => {
    const answer = await api(server.url, 'GET', route);
    expect(answer.status).toBe(400);
    expect(answer.body.field ?? '').toContain(field);
  });

  it('are documented in OpenAPI', async () => {
    const paths = Object.keys((await api<{ paths: object }>(server.url, 'GET', '/openapi.json')).body.paths);
    for (const path of ['users-activity', 'users-activity/series', 'funnel', 'step-difficulty', 'retention']) {
      expect(paths).toContain(`/api/marts/${path}`);
    }
    expect(paths).toEqual(expect.arrayContaining(['/api/stats/events-per-day', '/api/aggregates/rebuild']));
  });
});

describe('CLI through the running server', () => {
  const cli = async (...args: string[]) => {
    const answer = await runCli(args, {
      STEPLOG_DATA_DIR: server.dataDir,
      STEPLOG_URL: server.url,
      STEPLOG_API_KEY: server.keys.admin,
    });
    return { ...answer, stdout: stripVTControlCharacters(answer.stdout) };
  };

  it('prints each mart as a table holding the values the API answers', async () => {
    const activity = await cli('query', 'users-activity', '--days', '30', '--to', '2026-10-31');
    expect(activity.code).toBe(0);
    const mau = model.usersActivity(30, '2026-10-31');
    expect(activity.stdout).toMatch(new RegExp(`2026-10-31 │ ${mau.users} `));

    const funnel = await cli('query', 'funnel', '--from', '2026-10-01', '--to', '2026-10-31', '--step', '1');
    const step1 = model.funnel('2026-10-01', '2026-10-31')[0]!;
    expect(funnel.stdout).toMatch(new RegExp(`│ 1 +│ ${step1.viewed} +│ ${step1.submitted} +│ ${step1.solved} `));

    for (const mart of MARTS) {
      const answer = await cli('query', mart.command, ...mart.args);
      expect(answer.code, answer.stderr).toBe(0);
      const printed = parseTable(answer.stdout);
      const expected = mart.rows((await api(server.url, 'GET', mart.route)).body);
      expect(expected.length, mart.command).toBeGreaterThan(0);
      expect(printed.length, `${mart.command}: rows`).toBe(expected.length);
      printed.forEach((row, i) => expectRow(row, expected[i]!, `${mart.command} row ${i}`));
    }
    const bad = await cli('query', 'funnel', '--from', '2026-10-31', '--to', '2026-10-01');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--to must not be before --from');
  }, 180_000);

  it('rebuilds the aggregates while the server runs, and the marts still answer the same', async () => {
    const before = (
      await api(server.url, 'GET', '/api/marts/users-activity/series?days=7&from=2026-10-01&to=2026-10-31')
    ).body;
    const rebuild = await cli('aggregates', 'rebuild', '--from', '2026-10-01', '--to', '2026-10-31');
    expect(rebuild.code, rebuild.stderr).toBe(0);
    expect(rebuild.stdout).toMatch(/activity_daily\s+│ 202610/);
    const after = (
      await api(server.url, 'GET', '/api/marts/users-activity/series?days=7&from=2026-10-01&to=2026-10-31')
    ).body;
    expect(after).toEqual(before);
  });
});

type Cell = string | number | null;
const RANGE = ['--from', '2026-09-27', '--to', '2026-11-03'];
const QUERY = 'from=2026-09-27&to=2026-11-03';

/** Each mart: the CLI command, the API route with the same question, and the API's answer as table rows. */
const MARTS: { command: string; args: string[]; route: string; rows: (body: any) => Cell[][] }[] = [
  {
    command: 'daily-users',
    args: RANGE,
    route: `/api/stats/daily-users?${QUERY}`,
    rows: (body) => body.days.map((d: any) => [d.day, d.users, d.events]),
  },
  {
    command: 'events-per-day',
    args: RANGE,
    route: `/api/stats/events-per-day?${QUERY}`,
    rows: (body) => body.days.map((d: any) => [d.day, d.view, d.submit, d.solve]),
  },
  {
    command: 'users-activity',
    args: ['--days', '7', ...RANGE],
    route: `/api/marts/users-activity/series?days=7&${QUERY}`,
    rows: (body) =>
      body.series.map((w: any) => [
        w.date,
        w.users,
        w.view_users,
        w.submit_users,
        w.solve_users,
        w.guests,
        w.registered,
        w.new_users,
        w.returning_users,
      ]),
  },
  {
    command: 'funnel',
    args: RANGE,
    route: `/api/marts/funnel?${QUERY}`,
    rows: (body) =>
      body.steps.map((s: any) => [
        s.step_id,
        s.viewed,
        s.submitted,
        s.solved,
        s.view_to_submit,
        s.submit_to_solve,
        s.view_to_solve,
      ]),
  },
  {
    command: 'step-difficulty',
    args: RANGE,
    route: `/api/marts/step-difficulty?${QUERY}`,
    rows: (body) =>
      body.steps.map((s: any) => [
        s.step_id,
        s.submits,
        s.solves,
        s.submits_per_solve,
        s.solve_rate,
        s.median_seconds_to_solve,
      ]),
  },
  {
    command: 'retention',
    args: ['--weeks', '4', '--from', '2026-09-20', '--to', '2026-10-31'],
    route: '/api/marts/retention?from=2026-09-20&to=2026-10-31&weeks=4',
    rows: (body) => body.cohorts.map((c: any) => [c.cohort_week, c.users, ...c.active]),
  },
];

/** The body rows of a cli-table3 table, each as its trimmed cells (the header row dropped). */
function parseTable(stdout: string): string[][] {
  const rows = stdout
    .split('\n')
    .filter((line) => line.startsWith('│'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('│')
        .map((cell) => cell.trim()),
    );
  expect(rows.length, `a table in:\n${stdout}`).toBeGreaterThan(0);
  return rows.slice(1);
}

/**
 * A printed row against the API's values: the same day, the same count, a percentage or a
 * two-decimal ratio within its printed rounding, '—' where the API answers null.
 */
function expectRow(printed: string[], values: Cell[], where: string): void {
  expect(printed, where).toHaveLength(values.length);
  values.forEach((value, i) => {
    const cell = printed[i]!;
    const at = `${where}, column ${i}: '${cell}' for ${value}`;
    if (value === null) return void expect(cell, at).toBe('—');
    if (typeof value === 'string') return void expect(cell, at).toBe(value);
    const percent = cell.endsWith('%');
    const number = percent ? Number(cell.slice(0, -1)) / 100 : Number(cell);
    // Counts print whole; ratios print rounded to 0.1 % or to two decimals.
    const rounding = percent ? 0.0005 : cell.includes('.') ? 0.005 : 0;
    expect(Math.abs(number - value), at).toBeLessThanOrEqual(rounding + 1e-9);
  });
}
