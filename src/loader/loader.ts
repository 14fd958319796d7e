import type { User } from '../events/event.ts';
import type { Transport } from '../queue/transport.ts';
import type { ImportJob, ImportTrigger, OltpStore } from '../store/store.ts';
import { WAREHOUSE_DB, type Warehouse } from '../warehouse/warehouse.ts';
import { denormalize } from './denormalize.ts';
import { alreadyLoaded } from './reconcile.ts';

export interface LoaderOptions {
  readonly batchSize: number;
  /** Called between the warehouse insert and the ack: the one moment a crash leaves a batch in doubt. */
  readonly afterInsert?: () => void | Promise<void>;
}

/**
 * Moves the backlog into the warehouse, batch by batch: receive → denormalize → insert → ack.
 * Exactly once: before inserting, a batch is marked in doubt; a batch found in doubt (a crash or
 * error hit it after that mark) is first reconciled — the warehouse is asked which of its
 * event_ids it already holds, and only the rest are inserted. One run is one import job.
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
    try {
      while (await this.loadBatch(job)) {
        /* until the backlog is drained */
      }
      job.status = 'succeeded';
    } catch (error) {
      job.status = 'failed';
      job.error = error instanceof Error ? error.message : String(error);
    }
    job.finishedAt = Date.now();
    return this.store.finishImportJob(job);
  }

  /** Loads one batch; answers whether a full batch was read (more may be waiting). */
  private async loadBatch(job: ImportJob): Promise<boolean> {
    const batch = await this.transport.receive(this.options.batchSize);
    if (batch.length === 0) return false;

    const users = await this.store.getUsers(batch.map((d) => d.event.userId));
    const present = await alreadyLoaded(
      this.warehouse,
      batch.filter((d) => d.inDoubt).map((d) => d.event),
    );
    const rows = batch
      .filter((d) => !present.has(d.event.eventId))
      .map((d) => denormalize(d.event, userOf(users, d.event.userId)));

    await this.transport.markInDoubt(batch);
    await this.warehouse.insert(`${WAREHOUSE_DB}.events`, rows);
    await this.options.afterInsert?.();
    await this.transport.ack(batch);

    job.rows += rows.length;
    job.reconciled += present.size;
    job.batches += 1;
    return batch.length === this.options.batchSize;
  }
}

function userOf(users: Map<number, User>, id: number): User {
  const user = users.get(id);
  if (!user) throw new Error(`user ${id} of a stored event is missing from the store`);
  return user;
}
