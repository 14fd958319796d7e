import { EventInput } from '../events/schemas.ts';
import { SiteEventInput } from '../events/site-schemas.ts';
import type { Accept } from './ingest-service.ts';
import { normalizeEvent } from './normalize.ts';
import { normalizeSiteEvent } from './normalize-site.ts';
import { compileValidator } from './validate.ts';
import type { NewEvent } from '../events/event.ts';
import type { NewSiteEvent } from '../events/site-event.ts';

/** Each family's validation then normalization, as IngestService runs it per item. */
function accepting<I, N>(schema: object, normalize: (input: I, now: number) => ReturnType<Accept<N>>): Accept<N> {
  const validate = compileValidator<I>(schema);
  return (item, now) => {
    const checked = validate(item);
    return checked.ok ? normalize(checked.value, now) : checked;
  };
}

export const acceptEvent: Accept<NewEvent> = accepting(EventInput, normalizeEvent);
export const acceptSiteEvent: Accept<NewSiteEvent> = accepting(SiteEventInput, normalizeSiteEvent);
