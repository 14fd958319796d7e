import type { DailyUsers } from '../../src/analytics/daily-users.ts';
import type { EventsPerDay } from '../../src/analytics/events-per-day.ts';
import type { FunnelStep } from '../../src/analytics/funnel.ts';
import type { RetentionCohort } from '../../src/analytics/retention.ts';
import type { StepDifficulty } from '../../src/analytics/step-difficulty.ts';
import type { UsersActivity } from '../../src/analytics/users-activity.ts';
import { addDays, daysBetween, ratio } from '../../src/analytics/days.ts';
import type { Warehouse } from '../../src/warehouse/warehouse.ts';

/**
 * Every mart answered by plain SQL over the raw steplog.events table — no aggregate tables, no
 * -State functions. Independent of src/analytics/sql on purpose: the oracle of the correctness
 * tests and the "raw scan" side of bench/marts.ts.
 */
type Row = Record<string, string | number>;
const n = (value: string | number | undefined) => Number(value ?? 0);

export async function rawUsersActivity(w: Warehouse, days: number, date: string): Promise<UsersActivity> {
  const [row] = await w.query<Row>(
    `SELECT uniqExact(user_id) AS users,
            uniqExactIf(user_id, action_id = 0) AS view_users,
            uniqExactIf(user_id, action_id = 1) AS submit_users,
            uniqExactIf(user_id, action_id = 2) AS solve_users,
            uniqExactIf(user_id, is_guest = 1) AS guests,
            uniqExactIf(user_id, is_guest = 0) AS registered,
            uniqExactIf(user_id, toDate(join_date) BETWEEN {start:Date} AND {end:Date}) AS new_users,
            uniqExactIf(user_id, toDate(join_date) < {start:Date}) AS returning_users
     FROM steplog.events WHERE toDate(time) BETWEEN {start:Date} AND {end:Date}`,
    { start: addDays(date, 1 - days), end: date },
  );
  return {
    date,
    users: n(row?.users),
    view_users: n(row?.view_users),
    submit_users: n(row?.submit_users),
    solve_users: n(row?.solve_users),
    guests: n(row?.guests),
    registered: n(row?.registered),
    new_users: n(row?.new_users),
    returning_users: n(row?.returning_users),
  };
}

/** Daily users over every day of the range (idle days 0), by `count(DISTINCT …)` per UTC day. */
export async function rawDailyUsers(w: Warehouse, from: string, to: string): Promise<DailyUsers[]> {
  const rows = await w.query<Row>(
    `SELECT toString(toDate(time)) AS d, count(DISTINCT user_id) AS u, count() AS e
     FROM steplog.events WHERE toDate(time) BETWEEN {from:Date} AND {to:Date} GROUP BY d`,
    { from, to },
  );
  const byDay = new Map(rows.map((r) => [String(r.d), r]));
  return daysBetween(from, to).map((day) => ({ day, users: n(byDay.get(day)?.u), events: n(byDay.get(day)?.e) }));
}

export async function rawEventsPerDay(w: Warehouse, from: string, to: string): Promise<EventsPerDay[]> {
  const rows = await w.query<Row>(
    `SELECT toString(toDate(time)) AS d, countIf(action_id = 0) AS v, countIf(action_id = 1) AS su, countIf(action_id = 2) AS so
     FROM steplog.events WHERE toDate(time) BETWEEN {from:Date} AND {to:Date} GROUP BY d ORDER BY d`,
    { from, to },
  );
  return rows.map((r) => ({ day: String(r.d), view: n(r.v), submit: n(r.su), solve: n(r.so) }));
}

/** Each (step, user)'s first view / submit / solve in epoch milliseconds, and whether they happened. */
const FIRSTS = `SELECT step_id, user_id,
    countIf(action_id = 0) > 0 AS has_view, countIf(action_id = 1) > 0 AS has_submit, countIf(action_id = 2) > 0 AS has_solve,
    minIf(time_ms, action_id = 0) AS fv, minIf(time_ms, action_id = 2) AS fz
  FROM steplog.events GROUP BY step_id, user_id`;
/** The UTC day of an epoch-milliseconds column. */
const day = (ms: string) => `toDate(toDateTime(intDiv(${ms}, 1000), 'UTC'))`;

export async function rawFunnel(w: Warehouse, from: string, to: string): Promise<FunnelStep[]> {
  const rows = await w.query<Row>(
    `SELECT step_id, count() AS viewed, countIf(has_submit) AS submitted, countIf(has_submit AND has_solve) AS solved
     FROM (${FIRSTS}) WHERE has_view AND ${day('fv')} BETWEEN {from:Date} AND {to:Date}
     GROUP BY step_id ORDER BY step_id`,
    { from, to },
  );
  return rows.map((r) => ({
    step_id: n(r.step_id),
    viewed: n(r.viewed),
    submitted: n(r.submitted),
    solved: n(r.solved),
    view_to_submit: ratio(n(r.submitted), n(r.viewed)),
    submit_to_solve: ratio(n(r.solved), n(r.submitted)),
    view_to_solve: ratio(n(r.solved), n(r.viewed)),
  }));
}

export async function rawStepDifficulty(w: Warehouse, from: string, to: string): Promise<StepDifficulty[]> {
  const [counts, medians] = await Promise.all([
    w.query<Row>(
      `SELECT step_id, countIf(action_id = 1) AS submits, countIf(action_id = 2) AS solves,
              uniqExactIf(user_id, action_id = 1) AS submitters, uniqExactIf(user_id, action_id = 2) AS solvers
       FROM steplog.events WHERE toDate(time) BETWEEN {from:Date} AND {to:Date}
       GROUP BY step_id HAVING submits + solves > 0 ORDER BY step_id`,
      { from, to },
    ),
    w.query<Row>(
      `SELECT step_id, quantileExact(0.5)((toInt64(fz) - toInt64(fv)) / 1000) AS median
       FROM (${FIRSTS}) WHERE has_view AND has_solve AND fz >= fv AND ${day('fz')} BETWEEN {from:Date} AND {to:Date}
       GROUP BY step_id`,
      { from, to },
    ),
  ]);
  const median = new Map(medians.map((r) => [n(r.step_id), n(r.median)]));
  return counts.map((r) => ({
    step_id: n(r.step_id),
    submits: n(r.submits),
    solves: n(r.solves),
    submits_per_solve: ratio(n(r.submits), n(r.solves)),
    solve_rate: ratio(n(r.solvers), n(r.submitters)),
    median_seconds_to_solve: median.get(n(r.step_id)) ?? null,
  }));
}

export async function rawRetention(
  w: Warehouse,
  from: string,
  to: string,
  weeks: number,
  today: string,
): Promise<RetentionCohort[]> {
  const rows = await w.query<Row>(
    `SELECT toString(cohort) AS cohort_week, k,
            uniqExact(user_id) AS users,
            uniqExactIf(user_id, toDate(time) BETWEEN cohort + 7 * k AND cohort + 7 * k + 6) AS active
     FROM (SELECT user_id, time, toMonday(toDate(join_date)) AS cohort FROM steplog.events
           WHERE toMonday(toDate(join_date)) BETWEEN toMonday({from:Date}) AND {to:Date})
     ARRAY JOIN range({weeks:UInt32}) AS k
     GROUP BY cohort, k ORDER BY cohort, k`,
    { from, to, weeks },
  );
  const cohorts = new Map<string, RetentionCohort>();
  for (const r of rows) {
    const cohort = cohorts.get(String(r.cohort_week)) ?? {
      cohort_week: String(r.cohort_week),
      users: n(r.users),
      active: [],
    };
    cohort.active.push(addDays(cohort.cohort_week, 7 * n(r.k)) > today ? null : n(r.active) / n(r.users));
    cohorts.set(cohort.cohort_week, cohort);
  }
  return [...cohorts.values()];
}
