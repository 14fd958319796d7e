import type { Delivery, Transport } from '../queue/transport.ts';
import type { ImportJob, ImportTrigger, OltpStore } from '../store/store.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import { denormalizer, type WarehouseEventRow } from './denormalize.ts';
import { alreadyLoaded } from './reconcile.ts';

export interface LoaderOptions {
  readonly batchSize: number;
  /** Called between the warehouse insert and the ack: the one moment a crash leaves a batch in doubt. */
  readonly afterInsert?: () => void | Promise<void>;
}

interface PreparedBatch {
  readonly deliveries: Delivery[];
  readonly rows: WarehouseEventRow[];
  /** In-doubt rows the warehouse already holds (skipped by the token, or left out of `rows`). */
  readonly reconciled: number;
  /** Rows new to the warehouse. */
  readonly inserted: number;
  /** Whether more of the backlog may follow this batch. */
  readonly more: boolean;
  /** Derived from the batch's ids, so a retry of the same batch carries the same token. */
  readonly token: string;
}

/**
 * Moves the backlog into the warehouse, batch by batch: receive → denormalize → insert → ack.
 * Exactly once: before inserting, a batch is marked in doubt; a batch found in doubt (a crash or
 * error hit it after that mark) is inserted again as first formed, under the same deduplication
 * token (see `prepare`). One run is one import job.
 *
 * The next batch is read and denormalized while the warehouse inserts the current one (chDB and
 * the HTTP client both insert off the event loop); inserts and acks stay strictly in order.
 */
export class Loader {
  constructor(
    private readonly transport: Transport,
    private readonly store: Pick<OltpStore, 'getUsers' | 'startImportJob' | 'finishImportJob'>,
    private readonly warehouse: Warehouse,
    private readonly options: LoaderOptions,
  ) {}

  async run(trigger: ImportTrigger): Promise<ImportJob> {
    const job = await this.store.startImportJob(trigger);
    let next: Promise<PreparedBatch | null> | undefined;
    try {
      next = this.prepare(undefined);
      for (let batch = await next; batch; batch = await next) {
        const lastId = batch.deliveries.at(-1)!.event.id;
        next = batch.more ? this.prepare(lastId) : Promise.resolve(null);
        await this.deliver(batch);
        job.rows += batch.inserted;
        job.reconciled += batch.reconciled;
        job.batches += 1;
      }
      job.status = 'succeeded';
    } catch (error) {
      await next?.catch(() => undefined);
      job.status = 'failed';
      job.error = error instanceof Error ? error.message : String(error);
    }
    job.finishedAt = Date.now();
    return this.store.finishImportJob(job);
  }

  /**
   * Reads the next batch. An in-doubt batch (a prefix: it was the oldest when marked, and no newer
   * batch is marked before it is acknowledged) is taken alone, exactly as first inserted. Where the
   * engine deduplicates by token it is re-inserted whole, so tables and views that missed it get
   * it and the others skip it; elsewhere the rows already in steplog.events are left out.
   */
  private async prepare(afterId: number | undefined): Promise<PreparedBatch | null> {
    const { batchSize } = this.options;
    // One entry more than a batch: it tells whether an in-doubt prefix was seen whole.
    const received = await this.transport.receive(batchSize + 1, afterId);
    if (received.length === 0) return null;
    const inDoubt = received.filter((d) => d.inDoubt);
    const deliveries = inDoubt.length > 0 ? inDoubt : received.slice(0, batchSize);
    const wholeBatchSeen = inDoubt.length < received.length || received.length <= batchSize;
    const byToken = inDoubt.length > 0 && wholeBatchSeen && this.warehouse.capabilities.insertDeduplication;

    const toRow = denormalizer(await this.store.getUsers(deliveries.map((d) => d.event.userId)));
    const present = await alreadyLoaded(
      this.warehouse,
      inDoubt.map((d) => d.event),
    );
    const rows = deliveries.filter((d) => byToken || !present.has(d.event.eventId)).map((d) => toRow(d.event));
    return {
      deliveries,
      rows,
      reconciled: present.size,
      inserted: deliveries.length - present.size,
      more: deliveries.length < received.length,
      token: batchToken(deliveries),
    };
  }

  private async deliver(batch: PreparedBatch): Promise<void> {
    await this.transport.markInDoubt(batch.deliveries);
    await this.warehouse.insert(`${WAREHOUSE_DB}.events`, batch.rows, batch.token);
    await this.options.afterInsert?.();
    await this.transport.ack(batch.deliveries);
  }
}

/** Outbox ids never repeat (events are never deleted), so first, last and count name a batch. */
function batchToken(deliveries: readonly Delivery[]): string {
  return `steplog:${deliveries[0]!.event.id}:${deliveries.at(-1)!.event.id}:${deliveries.length}`;
}
