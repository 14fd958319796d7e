import type { HttpClient } from './http-client.ts';
import type { Verification } from './verify.ts';

/** What every generated event has: the verifier counts per UTC day and visitor. */
export interface GeneratedEvent {
  /** Epoch ms, UTC. */
  readonly time: number;
  readonly userId: number;
}

/** The period a run's events fall into, and its tag. */
export interface RunShape {
  readonly runTag: string;
  readonly start: number;
  readonly end: number;
}

/** A manifest-friendly row: one event as a tuple of JSON scalars and objects. */
export type PackedEvent = readonly unknown[];

/**
 * One event family's part of `steplog load`: what it creates and plans, how it sends a request's
 * worth of events, how it packs them into the manifest, and how it proves their delivery. The
 * run itself (concurrency, retries, progress, waiting for the load, the report) is shared.
 */
export interface LoadFamily<E extends GeneratedEvent, C> {
  readonly name: string;
  /** Events per request. */
  readonly batch: number;
  /** Creates what the events refer to (through the API) and plans the events. */
  plan(client: HttpClient, run: RunShape): Promise<{ events: E[]; context: C }>;
  /** Sends one request's events; per event null when accepted, else why not. */
  send(client: HttpClient, part: readonly E[]): Promise<(string | null)[]>;
  pack(event: E): PackedEvent;
  unpack(row: PackedEvent): E;
  verify(client: HttpClient, runTag: string, accepted: readonly E[], context: C): Promise<Verification>;
  /** The event's id for the 2xx → visible sample; absent when the family has no per-id check. */
  readonly sampleId?: (event: E) => string;
}
