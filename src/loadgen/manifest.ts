import fs from 'node:fs';
import type { PackedEvent } from './family.ts';
import type { RetryReason } from './http-client.ts';
import type { Percentiles } from './visibility.ts';

/** Everything `steplog load --verify-only` needs to check a finished run again. */
export interface Manifest {
  readonly version: 2;
  /** The event family (`learning`, `site`): how `accepted` and `context` read. */
  readonly family: string;
  /** The api processes the run spread its requests over. */
  readonly urls: readonly string[];
  readonly runTag: string;
  readonly createdAt: string;
  readonly options: Record<string, number | string>;
  /** What the family's verifier needs beside the events: the learning run's users as stored, the site run's visitor range. */
  readonly context: unknown;
  readonly sent: number;
  readonly rejected: number;
  /** The first few rejection messages. */
  readonly rejections: readonly string[];
  readonly ingest: { readonly seconds: number; readonly retries: Record<RetryReason, number> };
  readonly visibility: Percentiles;
  /** Accepted events, each packed as a tuple by its family: a compact file for 10⁶ events. */
  readonly accepted: readonly PackedEvent[];
}

export function writeManifest(file: string, manifest: Manifest): void {
  fs.writeFileSync(file, JSON.stringify(manifest));
}

export function readManifest(file: string): Manifest {
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  if (manifest.version !== 2 || !Array.isArray(manifest.accepted))
    throw new Error(`${file} is not a steplog load manifest`);
  return manifest;
}
