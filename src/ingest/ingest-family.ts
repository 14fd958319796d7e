import type { NewEvent } from '../events/event.ts';
import { EventInput } from '../events/schemas.ts';
import type { NewSiteEvent } from '../events/site-event.ts';
import { SiteEventInput } from '../events/site-schemas.ts';
import type { EventFamily } from './ingest-observer.ts';
import { normalizeEvent, type Normalized } from './normalize.ts';
import { normalizeSiteEvent } from './normalize-site.ts';
import { compileValidator, type FieldError } from './validate.ts';

export type Checked<I> = { ok: true; value: I } | ({ ok: false } & FieldError);

/** An event family as ingest sees it: its name (the metrics' label), its schema check, its normalization. */
export interface IngestFamily<I, N> {
  readonly name: EventFamily;
  /** The input field that carries the event time (named when a time is refused). */
  readonly timeField: string;
  readonly validate: (item: unknown) => Checked<I>;
  readonly normalize: (input: I, now: number) => Normalized<N>;
}

export const learningIngestFamily: IngestFamily<EventInput, NewEvent> = {
  name: 'learning',
  timeField: 'time',
  validate: compileValidator<EventInput>(EventInput),
  normalize: normalizeEvent,
};

export const siteIngestFamily: IngestFamily<SiteEventInput, NewSiteEvent> = {
  name: 'site',
  timeField: 'dt',
  validate: compileValidator<SiteEventInput>(SiteEventInput),
  normalize: normalizeSiteEvent,
};
