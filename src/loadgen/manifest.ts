import fs from 'node:fs';
import type { ActionId } from '../events/event.ts';
import type { PlannedEvent } from './behaviour.ts';
import type { RetryReason } from './http-client.ts';
import type { PlannedUser } from './population.ts';
import type { Percentiles } from './visibility.ts';

/** Everything `steplog load --verify-only` needs to check a finished run again. */
export interface Manifest {
  readonly version: 1;
  /** The api processes the run spread its requests over. */
  readonly urls: readonly string[];
  readonly runTag: string;
  readonly createdAt: string;
  readonly options: Record<string, number>;
  /** The run's users as the server holds them. */
  readonly users: readonly PlannedUser[];
  readonly sent: number;
  readonly rejected: number;
  /** The first few rejection messages. */
  readonly rejections: readonly string[];
  readonly ingest: { readonly seconds: number; readonly retries: Record<RetryReason, number> };
  readonly visibility: Percentiles;
  /** Accepted events as [event_id, time, user_id, step_id, action_id]: a compact file for 10⁶ events. */
  readonly accepted: readonly (readonly [string, number, number, number, number])[];
}

export const acceptedEvents = (manifest: Manifest): PlannedEvent[] =>
  manifest.accepted.map(([eventId, time, userId, stepId, actionId]) => ({
    eventId,
    time,
    userId,
    stepId,
    actionId: actionId as ActionId,
  }));

export const packEvent = (e: PlannedEvent) => [e.eventId, e.time, e.userId, e.stepId, e.actionId] as const;

export function writeManifest(file: string, manifest: Manifest): void {
  fs.writeFileSync(file, JSON.stringify(manifest));
}

export function readManifest(file: string): Manifest {
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  if (manifest.version !== 1 || !Array.isArray(manifest.accepted))
    throw new Error(`${file} is not a steplog load manifest`);
  return manifest;
}
