import { addDays, daysBetween, ratio } from '../../src/analytics/days.ts';
import type { DailyUsers } from '../../src/analytics/daily-users.ts';
import type { EventsPerDay } from '../../src/analytics/events-per-day.ts';
import type { FunnelStep } from '../../src/analytics/funnel.ts';
import type { RetentionCohort } from '../../src/analytics/retention.ts';
import type { StepDifficulty } from '../../src/analytics/step-difficulty.ts';
import type { UsersActivity } from '../../src/analytics/users-activity.ts';
import { ACTIONS, type NewEvent } from '../../src/events/event.ts';

/**
 * The marts computed in plain TypeScript from the README's "What each figure means" (and the
 * OpenAPI descriptions) alone, written without reading src/analytics/sql: the second oracle.
 * Each method names the definition it implements; the words quoted are the README's.
 */
export interface ModelUser {
  /** "A user's join day is the UTC day of their join_date." */
  readonly joinDay: string;
}

/** An event with the guest status its user had when it was loaded into the warehouse. */
export interface ModelEvent extends Pick<NewEvent, 'time' | 'userId' | 'stepId' | 'actionId'> {
  readonly guest: boolean;
}

/** "An event's day is the UTC calendar day of its time." */
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** "A cohort is a Monday-to-Sunday week": the Monday of a day's week. */
const mondayOf = (day: string) => addDays(day, -((new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7));
const distinctUsers = (events: readonly ModelEvent[]) => new Set(events.map((e) => e.userId)).size;
const within = (day: string, from: string, to: string) => day >= from && day <= to;

export class MartModel {
  private readonly firsts = new Map<string, number>();

  constructor(
    private readonly events: readonly ModelEvent[],
    private readonly users: ReadonlyMap<number, ModelUser>,
  ) {
    for (const e of events) {
      const key = `${e.stepId}/${e.userId}/${e.actionId}`;
      this.firsts.set(key, Math.min(e.time, this.firsts.get(key) ?? Infinity));
    }
  }

  /** users_activity: the window is the N days from D − N + 1 to D. */
  usersActivity(days: number, date: string): UsersActivity {
    const start = addDays(date, 1 - days);
    const inWindow = this.events.filter((e) => within(dayOf(e.time), start, date));
    const count = (test: (e: ModelEvent) => boolean) => distinctUsers(inWindow.filter(test));
    const joinDay = (e: ModelEvent) => this.user(e.userId).joinDay;
    return {
      date,
      users: count(() => true),
      view_users: count((e) => e.actionId === ACTIONS.view),
      submit_users: count((e) => e.actionId === ACTIONS.submit),
      solve_users: count((e) => e.actionId === ACTIONS.solve),
      // "with at least one event in the window loaded while they were a guest / were registered"
      guests: count((e) => e.guest),
      registered: count((e) => !e.guest),
      // "whose join day is inside the window (D − N + 1 … D)"
      new_users: count((e) => within(joinDay(e), start, date)),
      // "whose join day is before the window"
      returning_users: count((e) => joinDay(e) < start),
    };
  }

  /** Daily users: "unique users per day", and the day's events; every day of the range, idle ones with 0. */
  dailyUsers(from: string, to: string): DailyUsers[] {
    return daysBetween(from, to).map((day) => {
      const on = this.events.filter((e) => dayOf(e.time) === day);
      return { day, users: distinctUsers(on), events: on.length };
    });
  }

  /** Events per day: view, submit and solve events on each day; only the days that have any. */
  eventsPerDay(from: string, to: string): EventsPerDay[] {
    return daysBetween(from, to)
      .map((day) => {
        const on = this.events.filter((e) => dayOf(e.time) === day);
        const of = (action: number) => on.filter((e) => e.actionId === action).length;
        return { day, view: of(ACTIONS.view), submit: of(ACTIONS.submit), solve: of(ACTIONS.solve) };
      })
      .filter((d) => d.view + d.submit + d.solve > 0);
  }

  /** Funnel: viewed = first view in range; submitted = of them, ever submitted; solved = of those, ever solved. */
  funnel(from: string, to: string): FunnelStep[] {
    return this.steps().flatMap((stepId) => {
      const viewed = this.usersOf(stepId, ACTIONS.view).filter((userId) =>
        within(dayOf(this.first(stepId, userId, ACTIONS.view)!), from, to),
      );
      const submitted = viewed.filter((userId) => this.first(stepId, userId, ACTIONS.submit) !== undefined);
      const solved = submitted.filter((userId) => this.first(stepId, userId, ACTIONS.solve) !== undefined);
      if (viewed.length === 0) return [];
      return [
        {
          step_id: stepId,
          viewed: viewed.length,
          submitted: submitted.length,
          solved: solved.length,
          view_to_submit: ratio(submitted.length, viewed.length),
          submit_to_solve: ratio(solved.length, submitted.length),
          view_to_solve: ratio(solved.length, viewed.length),
        },
      ];
    });
  }

  /** Step difficulty: steps with a submit or solve event in the range. */
  stepDifficulty(from: string, to: string): StepDifficulty[] {
    return this.steps().flatMap((stepId) => {
      const inRange = this.events.filter((e) => e.stepId === stepId && within(dayOf(e.time), from, to));
      const submits = inRange.filter((e) => e.actionId === ACTIONS.submit);
      const solves = inRange.filter((e) => e.actionId === ACTIONS.solve);
      if (submits.length + solves.length === 0) return [];
      return [
        {
          step_id: stepId,
          submits: submits.length,
          solves: solves.length,
          submits_per_solve: ratio(submits.length, solves.length),
          solve_rate: ratio(distinctUsers(solves), distinctUsers(submits)),
          median_seconds_to_solve: this.medianSecondsToSolve(stepId, from, to),
        },
      ];
    });
  }

  /**
   * "every user whose first solve of the step is on a day in the range and whose first view of the
   * step is at or before that first solve; … first solve − first view, elapsed seconds with
   * millisecond fractions … the upper of the two middle values (0-based position ⌊n / 2⌋)".
   */
  private medianSecondsToSolve(stepId: number, from: string, to: string): number | null {
    const times: number[] = [];
    for (const userId of this.usersOf(stepId, ACTIONS.solve)) {
      const solve = this.first(stepId, userId, ACTIONS.solve)!;
      const view = this.first(stepId, userId, ACTIONS.view);
      if (view !== undefined && view <= solve && within(dayOf(solve), from, to)) times.push((solve - view) / 1000);
    }
    times.sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)] ?? null;
  }

  /**
   * Retention: cohorts are the join weeks from the week holding `from` to the last starting on or
   * before `to`; users = the cohort's users with any event; active[k] = share with an event in
   * days cohort + 7k … cohort + 7k + 6, null when that week starts after `today`.
   */
  retention(from: string, to: string, weeks: number, today: string): RetentionCohort[] {
    const byCohort = new Map<string, Set<number>>();
    for (const userId of new Set(this.events.map((e) => e.userId))) {
      const cohort = mondayOf(this.user(userId).joinDay);
      if (cohort < mondayOf(from) || cohort > to) continue;
      byCohort.set(cohort, (byCohort.get(cohort) ?? new Set()).add(userId));
    }
    return [...byCohort.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cohort, members]) => ({
        cohort_week: cohort,
        users: members.size,
        active: Array.from({ length: weeks }, (_, k) => {
          const [first, last] = [addDays(cohort, 7 * k), addDays(cohort, 7 * k + 6)];
          if (first > today) return null;
          const active = this.events.filter((e) => members.has(e.userId) && within(dayOf(e.time), first, last));
          return distinctUsers(active) / members.size;
        }),
      }));
  }

  private user(userId: number): ModelUser {
    const user = this.users.get(userId);
    if (!user) throw new Error(`the model has no user ${userId}`);
    return user;
  }

  private steps(): number[] {
    return [...new Set(this.events.map((e) => e.stepId))].sort((a, b) => a - b);
  }

  private usersOf(stepId: number, action: number): number[] {
    return [...new Set(this.events.filter((e) => e.stepId === stepId && e.actionId === action).map((e) => e.userId))];
  }

  /** "their earliest view (solve) event of that step among all events", epoch ms. */
  private first(stepId: number, userId: number, action: number): number | undefined {
    return this.firsts.get(`${stepId}/${userId}/${action}`);
  }
}
