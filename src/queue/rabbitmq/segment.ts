import type { StoredEvent } from '../../events/event.ts';
import type { FormedBatch, QueuedEvent } from '../transport.ts';

/**
 * One message: one formed batch, immutable. Its id and token were recorded in the store when it was
 * formed, so a redelivered message is inserted again exactly as first inserted, under the same token.
 */
interface SegmentBody<E extends QueuedEvent> {
  readonly id: number;
  readonly token: string;
  readonly events: readonly E[];
}

export function encodeSegment<E extends QueuedEvent>(batch: FormedBatch<E>): Buffer {
  const body: SegmentBody<E> = { id: batch.formed.id, token: batch.formed.token, events: batch.events };
  return Buffer.from(JSON.stringify(body));
}

/** A segment's events as they were formed (a family's events are JSON: numbers, strings and plain objects). */
export function decodeSegment<E extends QueuedEvent = StoredEvent>(content: Buffer): FormedBatch<E> {
  const body = JSON.parse(content.toString()) as SegmentBody<E>;
  return { events: body.events, formed: { id: body.id, token: body.token } };
}
