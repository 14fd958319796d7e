import type { StoredSiteEvent } from '../events/site-event.ts';
import { FAMILY_TABLES } from '../warehouse/event-families.ts';
import { completeSiteViews } from './complete-views.ts';
import { toEpochSeconds } from './warehouse-time.ts';
import type { LoadFamily } from './family.ts';

/** One row of steplog.site_events, as JSONEachRow; DateTime columns as epoch seconds. */
export interface SiteWarehouseRow {
  event_id: string;
  time: number;
  time_ms: number;
  name: string;
  user_id: number;
  url: string;
  obj: string;
  obj_id: string;
  product_id: number;
  amount: number;
  /** The experiments sorted by name, and the variant of each at the same index. */
  exp_keys: string[];
  exp_values: string[];
  received_at: number;
}

export function toSiteRow(event: StoredSiteEvent): SiteWarehouseRow {
  const exp = Object.entries(event.exp).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    event_id: event.eventId,
    time: toEpochSeconds(event.time),
    time_ms: event.time,
    name: event.name,
    user_id: event.userId,
    url: event.url,
    obj: event.obj,
    obj_id: event.objId,
    product_id: event.productId,
    amount: event.amount,
    exp_keys: exp.map(([key]) => key),
    exp_values: exp.map(([, variant]) => variant),
    received_at: toEpochSeconds(event.receivedAt),
  };
}

/** Site events need nothing from the store: a visitor is an anonymous id. */
export const siteFamily: LoadFamily<StoredSiteEvent, SiteWarehouseRow> = {
  table: FAMILY_TABLES.site.events,
  denormalize: (events) => Promise.resolve(events.map(toSiteRow)),
  completeViews: completeSiteViews,
};
