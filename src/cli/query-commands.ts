import { Option, type Command } from 'commander';
import { MAX_DAYS } from '../analytics/days.ts';
import type { ActionId } from '../events/event.ts';
import { MAX_UINT32 } from '../events/limits.ts';
import { printTable as print } from './table.ts';
import {
  dayRange,
  fromOption,
  keyOption,
  toOption,
  urlOption,
  wholeNumber,
  withWarehouse,
  type ServerFlags,
} from './options.ts';

type RangeOptions = ServerFlags & { from?: string; to?: string };

const percent = (fraction: number | null) => (fraction === null ? '—' : `${(fraction * 100).toFixed(1)}%`);
const decimal = (value: number | null) => (value === null ? '—' : value.toFixed(2));

/** `steplog query …`: each mart as a table in the terminal. */
export function registerQueryCommands(program: Command): void {
  const query = program.command('query').description('answer activity questions from ClickHouse');
  const command = (name: string, description: string) =>
    query
      .command(name)
      .description(description)
      .addOption(fromOption())
      .addOption(toOption())
      .addOption(urlOption())
      .addOption(keyOption());

  command('daily-users', 'unique users per day over the raw events (seed Part 4; default: the last 30 days)')
    .addOption(new Option('--action <id>', 'only this action: 0 view, 1 submit, 2 solve').choices(['0', '1', '2']))
    .action((opts: RangeOptions & { action?: string }) =>
      withWarehouse(opts, async (access) => {
        const actionId = opts.action === undefined ? undefined : (Number(opts.action) as ActionId);
        const days = await access.dailyUsers({ ...dayRange(opts), actionId });
        print(
          ['day', 'users', 'events'],
          days.map((d) => [d.day, d.users, d.events]),
        );
      }),
    );

  command(
    'users-activity',
    'users_activity: distinct users over the N-day window ending at each day from --from to --to (default: today only)',
  )
    .addOption(
      new Option('--days <n>', 'window length: 1 DAU, 7 WAU, 30 MAU').argParser(wholeNumber(MAX_DAYS)).default(1),
    )
    .action((opts: RangeOptions & { days: number }) =>
      withWarehouse(opts, async (access) => {
        const series = await access.usersActivitySeries({ days: opts.days, ...dayRange(opts, 1) });
        print(
          ['window end', 'users', 'viewed', 'submitted', 'solved', 'guests', 'registered', 'new', 'returning'],
          series.map((w) => [
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
        );
      }),
    );

  command('events-per-day', 'events per day and action, from the daily aggregates (default: the last 30 days)').action(
    (opts: RangeOptions) =>
      withWarehouse(opts, async (access) => {
        const days = await access.eventsPerDay(dayRange(opts));
        print(
          ['day', 'view', 'submit', 'solve'],
          days.map((d) => [d.day, d.view, d.submit, d.solve]),
        );
      }),
  );

  command('funnel', 'per-step funnel of users whose first view falls in the range: viewed → submitted → solved')
    .addOption(new Option('--step <id>', 'only this step').argParser(wholeNumber(MAX_UINT32)))
    .action((opts: RangeOptions & { step?: number }) =>
      withWarehouse(opts, async (access) => {
        const steps = await access.funnel({ ...dayRange(opts), stepId: opts.step });
        print(
          ['step', 'viewed', 'submitted', 'solved', 'view→submit', 'submit→solve', 'view→solve'],
          steps.map((s) => [
            s.step_id,
            s.viewed,
            s.submitted,
            s.solved,
            percent(s.view_to_submit),
            percent(s.submit_to_solve),
            percent(s.view_to_solve),
          ]),
        );
      }),
    );

  command('step-difficulty', 'submits per solve, solve rate and median time to solve per step').action(
    (opts: RangeOptions) =>
      withWarehouse(opts, async (access) => {
        const steps = await access.stepDifficulty(dayRange(opts));
        print(
          ['step', 'submits', 'solves', 'submits/solve', 'solve rate', 'median s to solve'],
          steps.map((s) => [
            s.step_id,
            s.submits,
            s.solves,
            decimal(s.submits_per_solve),
            percent(s.solve_rate),
            s.median_seconds_to_solve ?? '—',
          ]),
        );
      }),
  );

  command('retention', 'share of each join-week cohort active in week 0, 1, … (cohorts joining in the range)')
    .addOption(new Option('--weeks <k>', 'weeks per cohort').argParser(wholeNumber(104)).default(8))
    .action((opts: RangeOptions & { weeks: number }) =>
      withWarehouse(opts, async (access) => {
        const cohorts = await access.retention({ ...dayRange(opts, 90), weeks: opts.weeks });
        print(
          ['cohort week', 'users', ...Array.from({ length: opts.weeks }, (_, k) => `week ${k}`)],
          cohorts.map((c) => [c.cohort_week, c.users, ...c.active.map(percent)]),
        );
      }),
    );
}
