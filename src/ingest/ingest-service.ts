import type { NewEvent, StoredEvent } from '../events/event.ts';
import type { QueuedEvent } from '../queue/transport.ts';
import type { BacklogGauge } from './backlog-gauge.ts';
import type { GroupCommitter } from './group-commit.ts';
import type { Normalized } from './normalize.ts';
import type { FieldError } from './validate.ts';

export type IngestResult =
  | { status: 'accepted'; id: number; event_id: string; duplicate: boolean }
  | { status: 'rejected'; error: { error: string; field: string; message: string } };

/** Validates and normalizes one item of a request body (see accept.ts). */
export type Accept<N> = (item: unknown, now: number) => Normalized<N>;

/**
 * back-pressure → validate → normalize → commit (event + outbox in one transaction). Answers per
 * event, in order; a rejected event writes nothing, and neither does it stop the others of a batch.
 * Past the backlog bound the whole request is refused (BacklogFullError) before anything is written.
 * One per event family: `accept` is the family's validation and normalization.
 */
export class IngestService<N = NewEvent, S extends QueuedEvent = StoredEvent> {
  constructor(
    private readonly accept: Accept<N>,
    private readonly committer: Pick<GroupCommitter<N, S>, 'append'>,
    private readonly backlog: Pick<BacklogGauge, 'check'>,
    private readonly onCommitted: (newEvents: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  async ingest(items: readonly unknown[]): Promise<IngestResult[]> {
    this.backlog.check();
    const now = this.now();
    const results: IngestResult[] = new Array<IngestResult>(items.length);
    const valid: { index: number; event: N }[] = [];
    items.forEach((item, index) => {
      const accepted = this.accept(item, now);
      if (!accepted.ok) return void (results[index] = rejected('validation', accepted));
      valid.push({ index, event: accepted.event });
    });

    const appended = valid.length > 0 ? await this.committer.append(valid.map((v) => v.event)) : [];
    let added = 0;
    appended.forEach((outcome, i) => {
      const { index } = valid[i]!;
      if (!outcome.ok) return void (results[index] = rejected('unknown_reference', outcome));
      if (!outcome.duplicate) added += 1;
      results[index] = {
        status: 'accepted',
        id: outcome.event.id,
        event_id: outcome.event.eventId,
        duplicate: outcome.duplicate,
      };
    });
    if (added > 0) this.onCommitted(added);
    return results;
  }
}

const rejected = (error: string, { field, message }: FieldError): IngestResult => ({
  status: 'rejected',
  error: { error, field, message },
});
