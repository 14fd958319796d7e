import type { NewSiteEvent, StoredSiteEvent } from '../events/site-event.ts';
import type { AppendResult, Enqueue, MinuteCount } from './event-log.ts';

/** The committed site events, as EventLog is for learning events. */
export interface SiteEventLog {
  /**
   * Commits the events in ONE transaction, inside which `enqueue` hands the new ones to the site
   * transport, and answers per event, in order. An event whose event_id is already stored (or
   * repeated in `events`) resolves to the stored one and adds nothing. Nothing is refused by reference.
   */
  appendEvents(
    events: readonly NewSiteEvent[],
    enqueue: Enqueue<StoredSiteEvent>,
  ): Promise<AppendResult<StoredSiteEvent>[]>;
  /** Site events committed per minute since `since` (epoch ms); minutes without any are absent. */
  receivedPerMinute(since: number): Promise<MinuteCount[]>;
}
