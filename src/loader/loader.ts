import { pino, type Logger } from 'pino';
import type { StoredEvent } from '../events/event.ts';
import { keptFromDay } from '../events/retention-horizon.ts';
import type { Batch, FormedBatch, NewDeadLetter, QueuedEvent, Transport } from '../queue/transport.ts';
import type { Catalog } from '../store/catalog.ts';
import type { ImportJob, ImportJobs, ImportTrigger } from '../store/import-jobs.ts';
import { WAREHOUSE_DB, WarehouseRejectedError, type Warehouse } from '../warehouse/warehouse.ts';
import { halves, insertBlocks, type Block } from './blocks.ts';
import { learningFamily, type WarehouseEventRow } from './denormalize.ts';
import { EncodedMonths } from './encoded-months.ts';
import type { LoadFamily, WarehouseRow } from './family.ts';
import type { LoaderObserver } from './loader-observer.ts';
import { alreadyLoaded } from './reconcile.ts';
import { runAsJob } from './run-as-job.ts';
import { toEpochSeconds } from './warehouse-time.ts';

const SILENT = pino({ level: 'silent' });

export interface LoaderOptions {
  readonly batchSize: number;
  /** Failed loads, isolations and dead letters are logged here (silent when absent). */
  readonly log?: Logger;
  /** Called between the warehouse insert and the settle: a crash there leaves a batch inserted but unsettled (in doubt). */
  readonly afterInsert?: () => void | Promise<void>;
  readonly observer?: Pick<LoaderObserver, 'batchLoaded' | 'deadLettered'>;
  /**
   * STEPLOG_RETENTION: rows of months before the first kept day are dead-lettered as expired, not
   * inserted — an event accepted before its month crossed the edge would re-create a dropped month.
   */
  readonly retentionMs?: number | null;
}

interface PreparedBatch<E extends QueuedEvent, R extends WarehouseRow> extends Batch<E> {
  readonly rows: R[];
  /** The rows as the text of their inserts, encoded while the batch before inserts. */
  readonly encoded: EncodedMonths;
  /** Rows of a batch formed before that the warehouse already holds. */
  readonly present: ReadonlySet<string>;
  /** Whether more events never batched may follow this one (a full read). */
  readonly more: boolean;
}

type Refused<R> = { row: R; token: string; error: string };
type KeptFrom = { readonly day: string; readonly seconds: number };

/** A batch formed for this run and denormalized: ready for its insert. */
interface Ready<E extends QueuedEvent, R extends WarehouseRow> {
  readonly prepared: PreparedBatch<E, R>;
  readonly batch: FormedBatch<E>;
}

/** A batch whose insert is done, waiting for its settle: its rows are no longer held. */
interface Inserted<E extends QueuedEvent, R extends WarehouseRow> {
  readonly batch: FormedBatch<E>;
  readonly refused: readonly Refused<R>[];
  readonly inserted: number;
  readonly reconciled: number;
  readonly started: number;
}

/**
 * Moves one event family's backlog into its warehouse table, batch by batch: receive → denormalize → form → insert →
 * settle. Exactly once: a batch is formed (members and token recorded) before its first insert; a
 * batch found formed but unsettled is inserted again exactly as first formed, under the same
 * tokens (see `deliverFormed`). Rows the warehouse refuses for good are isolated and dead-lettered; the
 * rest go on. One run is one import job.
 *
 * Pipelined: while the warehouse inserts batch N (chDB and the HTTP client both insert off the
 * event loop), the store settles N−1, then reads, denormalizes and forms N+1, so store work stays
 * off the insert's path. Inserts stay in commit order, one at a time; settles follow them in the
 * same order. At most two batches' rows are held: N's and N+1's (N−1's settle ends before N+1 is
 * read). Whatever fails or stops, what is left is formed-unsettled batches, which a later run
 * receives as in doubt, oldest first.
 */
export class EventLoader<E extends QueuedEvent, R extends WarehouseRow> {
  private stopping = false;

  constructor(
    private readonly transport: Transport<E>,
    private readonly family: LoadFamily<E, R>,
    private readonly importJobs: Pick<ImportJobs, 'start' | 'save'>,
    private readonly warehouse: Warehouse,
    private readonly options: LoaderOptions,
  ) {}

  /**
   * Ends the running load (shutdown) after its current batch and the one formed ahead of it, if
   * any: nothing more is formed, and no batch is left formed by this load. The rest waits in the backlog.
   */
  stop(): void {
    this.stopping = true;
  }

  /** One load as its own import job. */
  run(trigger: ImportTrigger): Promise<ImportJob> {
    return runAsJob(this.importJobs, trigger, this.options.log ?? SILENT, (job, log) => this.loadInto(job, log));
  }

  /** Loads this family's backlog, counting into `job`; throws when a batch fails (it stays in the backlog). */
  async loadInto(job: ImportJob, log: Logger): Promise<void> {
    let ahead = this.next();
    let settling: Promise<void> = Promise.resolve();
    let current: Ready<E, R> | null = null;
    try {
      // Stopping: a batch formed ahead is still delivered, one taken in doubt is left (released below).
      while ((current = await ahead) && !(this.stopping && current.prepared.formed)) {
        const ready = current;
        // Read ahead only among events never batched, and only after a full batch: a batch formed
        // before is followed by a fresh look once it is settled (more may be formed), a partial one ends the load.
        const readsAhead = !ready.prepared.formed && ready.prepared.more;
        // While N inserts: settle N−1, then read and form N+1.
        ahead = readsAhead ? settling.then(() => this.next(ready.batch)) : Promise.resolve(null);
        const [inserted] = await allDone(this.deliverFormed(ready, log), ahead);
        settling = this.settle(inserted, job);
        if (ready.prepared.formed) ahead = settling.then(() => this.next());
      }
      await settling;
      // Stopping with a batch taken in doubt: it waits formed in the backlog, its lease left to run out.
      if (current) this.transport.release(current.batch);
    } catch (error) {
      await settling.catch(() => undefined);
      const formedAhead = await ahead.catch(() => null);
      if (formedAhead) this.transport.release(formedAhead.batch);
      if (current) this.transport.release(current.batch);
      throw error;
    }
  }

  /** The next batch, formed; null when there is none or the load stops. */
  private async next(after?: Batch<E>): Promise<Ready<E, R> | null> {
    if (this.stopping) return null;
    const prepared = await this.prepare(after);
    if (!prepared) return null;
    // Nothing formed yet: leave it to the next load. A batch formed before is held: the loop releases it.
    if (this.stopping && !prepared.formed) return null;
    return { prepared, batch: await this.transport.form(prepared) };
  }

  private async prepare(after?: Batch<E>): Promise<PreparedBatch<E, R> | null> {
    const { batchSize } = this.options;
    const received = await this.transport.receive(batchSize, after);
    if (!received) return null;
    try {
      const { table } = this.family;
      // A batch in doubt is judged on a replica holding all the cluster acknowledged: its rows may
      // sit in a part written on another replica, which a retry would then duplicate or, skipped as
      // a duplicate block, leave that part's missing views short.
      if (received.formed) await this.warehouse.catchUp();
      const present = received.formed ? await alreadyLoaded(this.warehouse, table, received.events) : new Set<string>();
      const rows = await this.family.denormalize(received.events);
      return {
        ...received,
        rows,
        encoded: EncodedMonths.of(rows),
        present,
        more: received.events.length === batchSize,
      };
    } catch (error) {
      if (received.formed) this.transport.release({ ...received, formed: received.formed });
      throw error;
    }
  }

  /**
   * Before each insert and the settle: a loader whose lease ran out (its renewals failed) or was
   * taken must not go on, another live loader may be loading the batch. It stops between inserts,
   * never inside one; the batch's new holder inserts it again, as any batch in doubt.
   */
  private stillHeld(batch: FormedBatch<E>): void {
    if (!this.transport.holds(batch)) throw new LeaseLostError(batch.formed.token);
  }

  /**
   * Inserts a formed batch. Where the engine deduplicates by token, a batch formed before is
   * inserted whole again: tables and views that hold a block skip it, the others take it. Elsewhere
   * the rows the family's table already holds are left out, and the views are completed for them
   * from the raw table where the family knows how (see LoadFamily.completeViews).
   */
  private async deliverFormed({ prepared, batch }: Ready<E, R>, log: Logger): Promise<Inserted<E, R>> {
    const started = performance.now();
    const ours = ownRows(prepared, batch);
    const byToken = this.warehouse.capabilities.insertDeduplication;
    const rows = byToken ? ours : ours.filter((row) => !prepared.present.has(row.event_id));
    const refused: Refused<R>[] = [];
    const keptFrom = this.keptFrom();
    // Blocks are cut from every row, expired or not, so a batch retried keeps its tokens; the kept
    // period starts on the first of a month, so a month's block is expired whole or not at all.
    for (const block of insertBlocks(batch.formed.token, rows)) {
      if (keptFrom !== null && block.rows[0]!.time < keptFrom.seconds) {
        refused.push(...block.rows.map((row) => this.expired(row, block.token, keptFrom)));
      } else {
        this.stillHeld(batch);
        await this.insert(block, prepared.encoded, refused, log);
      }
    }
    if (!byToken && prepared.present.size > 0 && this.family.completeViews) {
      await this.family.completeViews(
        this.warehouse,
        prepared.rows.filter((row) => prepared.present.has(row.event_id)),
      );
      log.info({ rows: prepared.present.size }, 'views completed for rows of an in-doubt batch');
    }
    await this.options.afterInsert?.();
    const reconciled = prepared.present.size;
    return { batch, refused, inserted: ours.length - reconciled - refused.length, reconciled, started };
  }

  /** Settles an inserted batch (its dead letters with it) and counts it into the job. */
  private async settle(
    { batch, refused, inserted, reconciled, started }: Inserted<E, R>,
    job: ImportJob,
  ): Promise<void> {
    this.stillHeld(batch);
    await this.transport.settle(batch, this.deadLetters(batch, refused, job));
    this.options.observer?.batchLoaded(inserted, (performance.now() - started) / 1000);
    if (refused.length > 0) this.options.observer?.deadLettered(refused.length);
    job.rows += inserted;
    job.reconciled += reconciled;
    job.deadLettered += refused.length;
    job.batches += 1;
    await this.importJobs.save(job);
  }

  /**
   * Inserts a block; when the warehouse refuses its data, halves it until the refused rows stand
   * alone, so one bad row costs about log2(block) extra inserts and blocks nothing else. Transient
   * failures propagate: the batch stays formed and is retried whole, under the same tokens.
   */
  private async insert(block: Block<R>, encoded: EncodedMonths, refused: Refused<R>[], log: Logger): Promise<void> {
    if (block.rows.length === 0) return;
    try {
      await this.warehouse.insert(`${WAREHOUSE_DB}.${this.family.table}`, encoded.textOf(block), block.token);
    } catch (error) {
      if (!(error instanceof WarehouseRejectedError)) throw error;
      if (block.rows.length === 1) {
        refused.push({ row: block.rows[0]!, token: block.token, error: error.message });
        log.warn({ eventId: block.rows[0]!.event_id, token: block.token, reason: error.message }, 'row dead-lettered');
        return;
      }
      log.warn({ rows: block.rows.length, token: block.token, reason: error.message }, 'block refused; isolating');
      for (const half of halves(block)) await this.insert(half, encoded, refused, log);
    }
  }

  /** The first kept day under STEPLOG_RETENTION, and its start as the rows write time; null without a retention. */
  private keptFrom(): KeptFrom | null {
    const { retentionMs } = this.options;
    if (retentionMs == null) return null;
    const day = keptFromDay(retentionMs, Date.now());
    return { day, seconds: toEpochSeconds(Date.parse(`${day}T00:00:00Z`)) };
  }

  private expired(row: R, token: string, keptFrom: KeptFrom): Refused<R> {
    return {
      row,
      // A retry puts it back as a batch of one under this token: one of its own, never the block's.
      token: `${token}/expired/${row.event_id}`,
      error: `expired: before ${keptFrom.day}, the first day STEPLOG_RETENTION keeps`,
    };
  }

  private deadLetters(batch: FormedBatch<E>, refused: readonly Refused<R>[], job: ImportJob): NewDeadLetter<E>[] {
    if (refused.length === 0) return [];
    const byEventId = new Map(batch.events.map((e) => [e.eventId, e]));
    return refused.map(({ row, token, error }) => ({
      event: byEventId.get(row.event_id)!,
      token,
      error,
      jobId: job.id,
    }));
  }
}

/**
 * The rows of the events the batch was formed with. A competing loader may have claimed some of
 * the events read: only the formed ones are ours. Formed with all of them (the batch's events are
 * among those read), every row is.
 */
function ownRows<E extends QueuedEvent, R extends WarehouseRow>(
  prepared: PreparedBatch<E, R>,
  batch: FormedBatch<E>,
): readonly R[] {
  if (batch.events.length === prepared.events.length) return prepared.rows;
  const members = new Set(batch.events.map((e) => e.eventId));
  return prepared.rows.filter((row) => members.has(row.event_id));
}

/** Both settled; the first failure (in argument order) is thrown once both are done. */
async function allDone<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [first, second] = await Promise.allSettled([a, b]);
  if (first.status === 'rejected') throw first.reason;
  if (second.status === 'rejected') throw second.reason;
  return [first.value, second.value];
}

/** This loader's lease on a batch ran out or was taken: the batch is another loader's now. */
export class LeaseLostError extends Error {
  constructor(token: string) {
    super(`lost the lease on batch ${token}: another loader loads it`);
    this.name = 'LeaseLostError';
  }
}

/** The learning events' loader: events joined with their users, into steplog.events. */
export class Loader extends EventLoader<StoredEvent, WarehouseEventRow> {
  constructor(
    transport: Transport,
    users: Pick<Catalog, 'getUsers' | 'usersVersion'>,
    importJobs: Pick<ImportJobs, 'start' | 'save'>,
    warehouse: Warehouse,
    options: LoaderOptions,
  ) {
    super(transport, learningFamily(users, options.batchSize), importJobs, warehouse, options);
  }
}
