import type { NewEvent, StoredEvent, Task, User } from '../events/event.ts';
import type { ApiKeyStore } from './api-keys.ts';
import type { RetentionStore } from './retention.ts';
import type { UserErasureStore } from './user-erasure.ts';

/** The OLTP boundary: SQLite embedded, PostgreSQL in production. Nothing above it knows which runs. */
export interface OltpStore {
  migrate(): Promise<void>;
  close(): Promise<void>;
  readonly apiKeys: ApiKeyStore;
  readonly userErasure: UserErasureStore;
  readonly retention: RetentionStore;

  /**
   * The store assigns the id unless one is given (imports, tests: the public API never passes one):
   * never one handed out before, never past UInt32.
   */
  createUser(user: Omit<User, 'id'> & { id?: number | undefined }): Promise<User>;
  getUser(id: number): Promise<User | undefined>;
  getUsers(ids: readonly number[]): Promise<Map<number, User>>;
  listUsers(page: PageRequest): Promise<User[]>;

  createTask(task: TaskDraft): Promise<Task>;
  getTask(id: number): Promise<Task | undefined>;
  listTasks(page: PageRequest): Promise<Task[]>;

  /**
   * Commits the accepted events and their outbox entries in ONE transaction and answers per event,
   * in order. An event whose event_id is already stored (or repeated in `events`) resolves to the
   * stored one and adds nothing.
   */
  appendEvents(events: readonly NewEvent[]): Promise<AppendResult[]>;

  startImportJob(trigger: ImportTrigger): Promise<ImportJob>;
  /** Records the job's counters and status (after every batch, so a job cut off by a crash keeps what it did). */
  saveImportJob(job: ImportJob): Promise<ImportJob>;
  listImportJobs(limit: number): Promise<ImportJob[]>;
  /** Marks jobs left 'running' by a process that died as failed; answers how many there were. */
  failInterruptedImportJobs(error: string): Promise<number>;
  /** Events committed per minute since `since` (epoch ms): the ingest rate. */
  receivedPerMinute(since: number): Promise<MinuteCount[]>;

  // The web admin: editing, accounts, sessions, saved SQL.
  /** Users whose name or email contains `text` (case-insensitive), by id. */
  searchUsers(text: string, page: PageRequest): Promise<User[]>;
  updateUser(user: User): Promise<User | undefined>;
  updateTask(task: Task): Promise<Task | undefined>;
  /** False when the task does not exist; ConflictError when events refer to it. */
  deleteTask(id: number): Promise<boolean>;
  createAdmin(username: string, passwordHash: string): Promise<Admin>;
  findAdmin(username: string): Promise<(Admin & { readonly passwordHash: string }) | undefined>;
  createSession(tokenHash: string, adminId: number, expiresAt: number): Promise<void>;
  /** The admin a live session belongs to; expired sessions answer undefined. */
  sessionAdmin(tokenHash: string, now: number): Promise<Admin | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  listSavedQueries(): Promise<SavedQuery[]>;
  /** Creates the query or replaces the SQL of the one with this name. */
  saveQuery(name: string, sql: string): Promise<SavedQuery>;
  deleteSavedQuery(id: number): Promise<void>;
}

export type TaskDraft = Omit<Task, 'id' | 'answer'> & { id?: number | undefined; answer?: string | undefined };

export interface MinuteCount {
  /** Epoch ms at the start of the minute. */
  readonly minute: number;
  readonly events: number;
}

export interface Admin {
  readonly id: number;
  readonly username: string;
}

export interface SavedQuery {
  readonly id: number;
  readonly name: string;
  readonly sql: string;
  readonly updatedAt: number;
}

export interface PageRequest {
  readonly limit: number;
  /** Only ids greater than this. */
  readonly after: number;
}

export type AppendResult =
  | { readonly ok: true; readonly event: StoredEvent; readonly duplicate: boolean }
  | { readonly ok: false; readonly field: 'user_id' | 'step_id'; readonly message: string };

export type ImportTrigger = 'schedule' | 'backlog' | 'manual';
export type ImportStatus = 'running' | 'succeeded' | 'failed';

export interface ImportJob {
  readonly id: number;
  readonly trigger: ImportTrigger;
  readonly startedAt: number;
  finishedAt: number | null;
  status: ImportStatus;
  /** Rows inserted into the warehouse. */
  rows: number;
  batches: number;
  /** In-doubt rows found already in the warehouse and not inserted again. */
  reconciled: number;
  /** Rows the warehouse refused for good, moved to the dead letters. */
  deadLettered: number;
  error: string | null;
}

export class ConflictError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

/** The store cannot write now (disk full, read-only or failing storage); nothing was committed. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
