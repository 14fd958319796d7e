/**
 * A site event (the de-demo seed's family): what a visitor's browser reports. Visitors are
 * anonymous ids, not rows of the users table, so nothing is looked up and nothing refused by reference.
 */
export interface NewSiteEvent {
  readonly eventId: string;
  /** The server minted eventId (a fresh UUIDv7): no idempotency lookup. */
  readonly minted?: boolean;
  /** Epoch milliseconds, UTC (the seed's `dt`). */
  readonly time: number;
  /** What happened: view, click, purchase… */
  readonly name: string;
  /** The visitor: an anonymous id, 0 to 2^53 - 1. */
  readonly userId: number;
  readonly url: string;
  /** What it happened to: page, button, url, recommendation… */
  readonly obj: string;
  readonly objId: string;
  /** 0 when the event names no product. */
  readonly productId: number;
  readonly amount: number;
  /** Experiment → variant the visitor was shown. */
  readonly exp: Readonly<Record<string, string>>;
}

export interface StoredSiteEvent extends NewSiteEvent {
  readonly id: number;
  /** Epoch milliseconds when the store committed it. */
  readonly receivedAt: number;
}
