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
  /** In-doubt rows the warehouse already holds, left out of `rows`. */
  readonly reconciled: number;
}

/**
 * Moves the backlog into the warehouse, batch by batch: receive → denormalize → insert → ack.
 * Exactly once: before inserting, a batch is marked in doubt; a batch found in doubt (a crash or
 * error hit it after that mark) is first reconciled — the warehouse is asked which of its
 * event_ids it already holds, and only the rest are inserted. One run is one import job.
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
        next = batch.deliveries.length === this.options.batchSize ? this.prepare(lastId) : Promise.resolve(null);
        await this.deliver(batch);
        job.rows += batch.rows.length;
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

  private async prepare(afterId: number | undefined): Promise<PreparedBatch | null> {
    const deliveries = await this.transport.receive(this.options.batchSize, afterId);
    if (deliveries.length === 0) return null;
    const toRow = denormalizer(await this.store.getUsers(deliveries.map((d) => d.event.userId)));
    const present = await alreadyLoaded(
      this.warehouse,
      deliveries.filter((d) => d.inDoubt).map((d) => d.event),
    );
    const rows = deliveries.filter((d) => !present.has(d.event.eventId)).map((d) => toRow(d.event));
    return { deliveries, rows, reconciled: present.size };
  }

  private async deliver(batch: PreparedBatch): Promise<void> {
    await this.transport.markInDoubt(batch.deliveries);
    await this.warehouse.insert(`${WAREHOUSE_DB}.events`, batch.rows);
    await this.options.afterInsert?.();
    await this.transport.ack(batch.deliveries);
  }
}
