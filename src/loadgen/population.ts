import { pick } from './random.ts';
import { DAY_MS } from '../analytics/days.ts';

/** A user as `steplog load` creates it (times in epoch ms, UTC). */
export interface PlannedUser {
  readonly id: number;
  readonly name: string;
  readonly email: string;
  readonly joinDate: number;
  readonly registrationDate: number | null;
}

export interface Population {
  readonly users: readonly PlannedUser[];
  readonly taskIds: readonly number[];
}

export interface PopulationShape {
  readonly users: number;
  readonly tasks: number;
  /** The period the events fall into, epoch ms. */
  readonly start: number;
  readonly end: number;
}

const GUEST_SHARE = 0.25;
/** Users who joined before the period: the returning part of the audience. */
const EARLIER_SHARE = 0.3;
const FIRST = ['Anna', 'Иван', 'José', 'Zoë', 'Søren', 'Mehmet', 'Ngozi', 'Ólafur', 'Priya', 'Łukasz', 'Chloé'];
const LAST = ['Smith', 'Петрова', 'García', 'Müller', '王', 'Yılmaz', 'Okafor', 'Jónsson', 'Παπαδόπουλος', 'Trần'];

/**
 * Users with join dates spread over the period (and some before it), a share of guests without a
 * registration date, names with non-ASCII letters. Emails are ASCII: the API checks the RFC 5321
 * form, which has no non-ASCII local parts; some guests have none.
 */
export function generatePopulation(rnd: () => number, shape: PopulationShape): Population {
  const span = shape.end - shape.start;
  const users = Array.from({ length: shape.users }, (_, i): PlannedUser => {
    const id = i + 1;
    const joinDate = floorToSecond(
      rnd() < EARLIER_SHARE ? shape.start - rnd() * 90 * DAY_MS : shape.start + rnd() * span * 0.9,
    );
    const guest = rnd() < GUEST_SHARE;
    const registrationDate = guest ? null : floorToSecond(Math.min(shape.end, joinDate + rnd() * 3 * DAY_MS));
    return {
      id,
      name: `${pick(rnd, FIRST)} ${pick(rnd, LAST)}`,
      email: guest && rnd() < 0.5 ? '' : `learner${id}@example.org`,
      joinDate,
      registrationDate,
    };
  });
  return { users, taskIds: Array.from({ length: shape.tasks }, (_, i) => i + 1) };
}

/** The warehouse keeps whole seconds. */
const floorToSecond = (ms: number): number => Math.floor(ms / 1000) * 1000;
