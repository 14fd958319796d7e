import { uuidv7 } from 'uuidv7';
import type { NewSiteEvent } from '../events/site-event.ts';
import type { SiteEventInput } from '../events/site-schemas.ts';
import { assumeUtc, parseTimestamp } from '../events/timestamp.ts';
import { MAX_FUTURE_MS, type Normalized } from './normalize.ts';

/** Turns a schema-valid site event into the stored form: UUID made or lower-cased, dt parsed, defaults filled. */
export function normalizeSiteEvent(input: SiteEventInput, now: number): Normalized<NewSiteEvent> {
  const parsed = parseTimestamp(assumeUtc(input.dt), 'dt');
  if (!parsed.ok) return { ok: false, field: 'dt', message: parsed.message };
  if (parsed.ms > now + MAX_FUTURE_MS) {
    return { ok: false, field: 'dt', message: 'dt must not be more than 24 hours in the future' };
  }
  return {
    ok: true,
    event: {
      eventId: input.event_id?.toLowerCase() ?? uuidv7(),
      minted: input.event_id === undefined,
      time: parsed.ms,
      name: input.name,
      userId: input.user_id,
      url: input.url,
      obj: input.obj,
      objId: input.obj_id ?? '',
      productId: input.product_id ?? 0,
      amount: input.amount ?? 0,
      exp: input.exp ?? {},
    },
  };
}
