import type { NewEvent, StoredEvent } from '../events/event.ts';
import type { EventInput } from '../events/schemas.ts';
import type { QueuedEvent } from '../queue/transport.ts';
import type { Checked, IngestFamily } from './ingest-family.ts';
import { BacklogFullError, type BacklogGauge } from './backlog-gauge.ts';
import type { GroupCommitter } from './group-commit.ts';
import { keptFromDay } from '../events/retention-horizon.ts';
import type { IngestObserver, RejectionReason } from './ingest-observer.ts';
import type { FieldError } from './validate.ts';

export type IngestResult =
  | { status: 'accepted'; id: number; event_id: string; duplicate: boolean }
  | { status: 'rejected'; error: { error: string; field: string; message: string } };

/**
 * back-pressure → validate → normalize → commit (event + outbox in one transaction). Answers per
 * event, in order; a rejected event writes nothing, and neither does it stop the others of a batch.
 * Past the backlog bound the whole request is refused (BacklogFullError) before anything is written.
 * One per event family (ingest-family.ts): its input `I`, new event `N` and stored event `S`.
 */
export class IngestService<
  I = EventInput,
  N extends { readonly time: number } = NewEvent,
  S extends QueuedEvent = StoredEvent,
> {
  constructor(
    private readonly family: IngestFamily<I, N>,
    private readonly committer: Pick<GroupCommitter<N, S>, 'append'>,
    private readonly backlog: Pick<BacklogGauge, 'check'>,
    private readonly onCommitted: (newEvents: number) => void,
    private readonly now: () => number = Date.now,
    private readonly observer?: IngestObserver,
    /** STEPLOG_RETENTION: events older than the months it keeps are refused (`expired`), never loaded. */
    private readonly retentionMs: number | null = null,
  ) {}

  /** Validates each item against the family's schema, then admits the valid ones. */
  ingest(items: readonly unknown[]): Promise<IngestResult[]> {
    return this.observed(items.length, () => this.admit(items.map(this.family.validate)));
  }

  /** Events a caller has already validated against the family's schema (a single-event route's body schema). */
  ingestValidated(events: readonly I[]): Promise<IngestResult[]> {
    return this.observed(events.length, () => this.admit(events.map((value) => ({ ok: true, value }))));
  }

  /** Counts what was accepted and why the rest was refused, for the metrics. */
  private async observed(count: number, work: () => Promise<IngestResult[]>): Promise<IngestResult[]> {
    let results: IngestResult[];
    try {
      results = await work();
    } catch (error) {
      const reason = error instanceof BacklogFullError ? 'backlog_full' : 'store_unavailable';
      this.observer?.rejected(this.family.name, reason, count);
      throw error;
    }
    if (this.observer) this.observe(this.observer, results);
    return results;
  }

  private observe(observer: IngestObserver, results: readonly IngestResult[]): void {
    const rejected = new Map<RejectionReason, number>();
    let accepted = 0;
    for (const result of results) {
      if (result.status === 'accepted') accepted += 1;
      else {
        const reason = result.error.error as RejectionReason;
        rejected.set(reason, (rejected.get(reason) ?? 0) + 1);
      }
    }
    if (accepted > 0) observer.accepted(this.family.name, accepted);
    for (const [reason, count] of rejected) observer.rejected(this.family.name, reason, count);
  }

  private async admit(checked: readonly Checked<I>[]): Promise<IngestResult[]> {
    this.backlog.check();
    const now = this.now();
    const keptFrom = this.retentionMs === null ? null : keptFromDay(this.retentionMs, now);
    const results: IngestResult[] = new Array<IngestResult>(checked.length);
    const valid: { index: number; event: N }[] = [];
    checked.forEach((item, index) => {
      if (!item.ok) return void (results[index] = rejected('validation', item));
      const normalized = this.family.normalize(item.value, now);
      if (!normalized.ok) return void (results[index] = rejected('validation', normalized));
      if (keptFrom !== null && normalized.event.time < Date.parse(keptFrom)) {
        return void (results[index] = rejected('expired', {
          field: this.family.timeField,
          message:
            `${this.family.timeField} is before ${keptFrom}, the first day STEPLOG_RETENTION keeps: ` +
            'older months are dropped, so the event would never count',
        }));
      }
      valid.push({ index, event: normalized.event });
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

const rejected = (error: RejectionReason, { field, message }: FieldError): IngestResult => ({
  status: 'rejected',
  error: { error, field, message },
});
