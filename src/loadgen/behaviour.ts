import { ACTIONS, type ActionId } from '../events/event.ts';
import { DAY_MS } from '../analytics/days.ts';
import type { Population } from './population.ts';
import { pick } from './random.ts';

/** One event `steplog load` sends. */
export interface PlannedEvent {
  readonly eventId: string;
  /** Epoch ms, UTC, whole seconds. */
  readonly time: number;
  readonly userId: number;
  readonly stepId: number;
  readonly actionId: ActionId;
}

export interface BehaviourShape {
  readonly events: number;
  readonly start: number;
  readonly end: number;
  /** 8 hex digits that start every event_id of the run, so the warehouse can be asked about the run alone. */
  readonly runTag: string;
}

/** Share of sessions that stop after the view. */
const VIEW_ONLY = 0.35;
/** Chance that the last submission of a session solves the step. */
const SOLVES = 0.6;

/**
 * Sessions that follow real behaviour: a user views a step, may submit one or more attempts, and
 * may then solve it — at most once per user and step (a solved step is only viewed again).
 * Sessions start after the user joined, on a daily rhythm (quiet nights, busy evenings).
 */
export function planEvents(rnd: () => number, population: Population, shape: BehaviourShape): PlannedEvent[] {
  const events: PlannedEvent[] = [];
  const solved = new Set<string>();
  const active = population.users.filter((u) => u.joinDate < shape.end);
  if (active.length === 0 || population.taskIds.length === 0) throw new Error('no user or task to act');

  const emit = (time: number, userId: number, stepId: number, actionId: ActionId): boolean => {
    if (events.length >= shape.events || time > shape.end) return false;
    events.push({ eventId: eventIdOf(shape.runTag, events.length), time, userId, stepId, actionId });
    return true;
  };

  while (events.length < shape.events) {
    const user = pick(rnd, active);
    const stepId = pick(rnd, population.taskIds);
    const key = `${user.id}:${stepId}`;
    let time = sessionStart(rnd, Math.max(shape.start, user.joinDate), shape.end);
    if (!emit(time, user.id, stepId, ACTIONS.view)) continue;
    if (solved.has(key) || rnd() < VIEW_ONLY) continue;

    const attempts = 1 + Math.floor(-Math.log(1 - rnd()) * 1.5);
    let submitted = true;
    for (let i = 0; i < attempts && submitted; i++) {
      time += secondsBetween(rnd, 30, 1200);
      submitted = emit(time, user.id, stepId, ACTIONS.submit);
    }
    if (submitted && rnd() < SOLVES && emit(time + secondsBetween(rnd, 1, 120), user.id, stepId, ACTIONS.solve)) {
      solved.add(key);
    }
  }
  return events;
}

/** A canonical UUID (version 4 layout) that starts with the run tag and numbers the event. */
export const eventIdOf = (runTag: string, index: number): string =>
  `${runTag}-0000-4000-8000-${index.toString(16).padStart(12, '0')}`;

const secondsBetween = (rnd: () => number, min: number, max: number): number =>
  (min + Math.floor(rnd() * (max - min))) * 1000;

/** Busy from morning to late evening, peaking around 15:00 UTC; nights at a tenth of the peak. */
const hourWeight = (hour: number): number => Math.max(0.1, Math.sin((Math.PI * (hour - 6)) / 18));

function sessionStart(rnd: () => number, from: number, to: number): number {
  for (let tries = 0; tries < 20; tries++) {
    const dayStart = Math.floor((from + rnd() * (to - from)) / DAY_MS) * DAY_MS;
    const time = Math.floor((dayStart + rnd() * DAY_MS) / 1000) * 1000;
    if (time >= from && time <= to && rnd() < hourWeight(new Date(time).getUTCHours())) return time;
  }
  return Math.ceil((from + rnd() * (to - from)) / 1000) * 1000;
}
