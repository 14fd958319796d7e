import type { StoredEvent } from '../../events/event.ts';
import type { FormedBatch } from '../transport.ts';

/**
 * One message: one formed batch, immutable. Its id and token were recorded in the store when it was
 * formed, so a redelivered message is inserted again exactly as first inserted, under the same token.
 */
interface SegmentBody {
  readonly id: number;
  readonly token: string;
  readonly events: readonly StoredEvent[];
}

export function encodeSegment(batch: FormedBatch): Buffer {
  const body: SegmentBody = { id: batch.formed.id, token: batch.formed.token, events: batch.events };
  return Buffer.from(JSON.stringify(body));
}

export function decodeSegment(content: Buffer): FormedBatch {
  const body = JSON.parse(content.toString()) as SegmentBody;
  return { events: body.events, formed: { id: body.id, token: body.token } };
}
