import { addDays, ratio } from '../../src/analytics/days.ts';
import type { EventsPerDay } from '../../src/analytics/events-per-day.ts';
import type { FunnelStep } from '../../src/analytics/funnel.ts';
import type { RetentionCohort } from '../../src/analytics/retention.ts';
import type { StepDifficulty } from '../../src/analytics/step-difficulty.ts';
import type { UsersActivity } from '../../src/analytics/users-activity.ts';
import type { NewEvent } from '../../src/events/event.ts';

/** The marts computed in plain TypeScript from the events a test generated: the second oracle. */
export interface ModelUser {
  readonly joinDay: string;
  readonly guest: boolean;
}

type Firsts = { view?: number; submit?: number; solve?: number };

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const mondayOf = (day: string) => addDays(day, -((new Date(day).getUTCDay() + 6) % 7));
const distinct = (events: readonly NewEvent[]) => new Set(events.map((e) => e.userId)).size;

export class MartModel {
  constructor(
    private readonly events: readonly NewEvent[],
    private readonly users: ReadonlyMap<number, ModelUser>,
  ) {}

  usersActivity(days: number, date: string): UsersActivity {
    const start = addDays(date, 1 - days);
    const inWindow = this.events.filter((e) => dayOf(e.time) >= start && dayOf(e.time) <= date);
    const where = (test: (e: NewEvent) => boolean) => distinct(inWindow.filter(test));
    const user = (e: NewEvent) => this.users.get(e.userId)!;
    return {
      date,
      users: distinct(inWindow),
      view_users: where((e) => e.actionId === 0),
      submit_users: where((e) => e.actionId === 1),
      solve_users: where((e) => e.actionId === 2),
      guests: where((e) => user(e).guest),
      registered: where((e) => !user(e).guest),
      new_users: where((e) => user(e).joinDay >= start),
      returning_users: where((e) => user(e).joinDay < start),
    };
  }

  eventsPerDay(from: string, to: string): EventsPerDay[] {
    const days = new Map<string, { view: number; submit: number; solve: number }>();
    for (const e of this.events.filter((e) => dayOf(e.time) >= from && dayOf(e.time) <= to)) {
      const counts = days.get(dayOf(e.time)) ?? { view: 0, submit: 0, solve: 0 };
      counts[(['view', 'submit', 'solve'] as const)[e.actionId]] += 1;
      days.set(dayOf(e.time), counts);
    }
    return [...days.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, c]) => ({ day, ...c }));
  }

  funnel(from: string, to: string): FunnelStep[] {
    const steps = new Map<number, { viewed: number; submitted: number; solved: number }>();
    for (const [stepId, first] of this.firsts()) {
      if (first.view === undefined || dayOf(first.view) < from || dayOf(first.view) > to) continue;
      const step = steps.get(stepId) ?? { viewed: 0, submitted: 0, solved: 0 };
      step.viewed += 1;
      if (first.submit !== undefined) step.submitted += 1;
      if (first.submit !== undefined && first.solve !== undefined) step.solved += 1;
      steps.set(stepId, step);
    }
    return [...steps.entries()]
      .sort(([a], [b]) => a - b)
      .map(([step_id, s]) => ({
        step_id,
        ...s,
        view_to_submit: ratio(s.submitted, s.viewed),
        submit_to_solve: ratio(s.solved, s.submitted),
        view_to_solve: ratio(s.solved, s.viewed),
      }));
  }

  stepDifficulty(from: string, to: string): StepDifficulty[] {
    const inRange = this.events.filter((e) => dayOf(e.time) >= from && dayOf(e.time) <= to);
    const stepIds = [...new Set(inRange.filter((e) => e.actionId > 0).map((e) => e.stepId))].sort((a, b) => a - b);
    const waits = new Map<number, number[]>();
    for (const [stepId, f] of this.firsts()) {
      if (f.view === undefined || f.solve === undefined || f.solve < f.view) continue;
      if (dayOf(f.solve) < from || dayOf(f.solve) > to) continue;
      waits.set(stepId, [...(waits.get(stepId) ?? []), (f.solve - f.view) / 1000]);
    }
    return stepIds.map((step_id) => {
      const of = (action: number) => inRange.filter((e) => e.stepId === step_id && e.actionId === action);
      const sorted = (waits.get(step_id) ?? []).sort((a, b) => a - b);
      return {
        step_id,
        submits: of(1).length,
        solves: of(2).length,
        submits_per_solve: ratio(of(1).length, of(2).length),
        solve_rate: ratio(distinct(of(2)), distinct(of(1))),
        // The upper median, as ClickHouse's quantileExact(0.5) picks it.
        median_seconds_to_solve: sorted.length === 0 ? null : sorted[Math.floor(sorted.length / 2)]!,
      };
    });
  }

  retention(from: string, to: string, weeks: number): RetentionCohort[] {
    const cohorts = new Map<string, NewEvent[]>();
    for (const e of this.events) {
      const cohort = mondayOf(this.users.get(e.userId)!.joinDay);
      if (cohort < mondayOf(from) || cohort > to) continue;
      cohorts.set(cohort, [...(cohorts.get(cohort) ?? []), e]);
    }
    return [...cohorts.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([cohort_week, events]) => ({
        cohort_week,
        users: distinct(events),
        active: Array.from(
          { length: weeks },
          (_, k) =>
            distinct(
              events.filter(
                (e) => dayOf(e.time) >= addDays(cohort_week, 7 * k) && dayOf(e.time) <= addDays(cohort_week, 7 * k + 6),
              ),
            ) / distinct(events),
        ),
      }));
  }

  /** [step id, first view / submit / solve time in ms] for each (step, user) with an event. */
  private firsts(): [number, Firsts][] {
    const pairs = new Map<string, [number, Firsts]>();
    for (const e of this.events) {
      const key = `${e.stepId}/${e.userId}`;
      const entry = pairs.get(key) ?? [e.stepId, {}];
      const field = (['view', 'submit', 'solve'] as const)[e.actionId];
      entry[1][field] = Math.min(entry[1][field] ?? Infinity, e.time);
      pairs.set(key, entry);
    }
    return [...pairs.values()];
  }
}
