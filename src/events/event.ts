/** What a user did with a step: the seed's action ids. */
export const ACTIONS = { view: 0, submit: 1, solve: 2 } as const;
export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];

/** An event as validated and normalized by ingest, before the store gives it a sequence id. */
export interface NewEvent {
  readonly eventId: string;
  /** Epoch milliseconds, UTC. */
  readonly time: number;
  readonly userId: number;
  readonly stepId: number;
  readonly actionId: ActionId;
  /** The server minted eventId (a fresh UUIDv7), so no stored event can have it: no idempotency lookup. */
  readonly minted?: boolean;
}

/** An event as committed to the OLTP store. */
export interface StoredEvent extends NewEvent {
  readonly id: number;
  /** Epoch milliseconds when the store committed it. */
  readonly receivedAt: number;
}

export interface User {
  readonly id: number;
  readonly joinDate: number;
  /** Null for a guest. */
  readonly registrationDate: number | null;
  readonly name: string;
  readonly email: string;
}

export const isGuest = (user: Pick<User, 'registrationDate'>): boolean => user.registrationDate === null;

export interface Task {
  readonly id: number;
  readonly title: string;
  readonly text: string;
  /** What a correct submission says (compared trimmed, case-insensitively); never sent to the task page. */
  readonly answer: string;
}
