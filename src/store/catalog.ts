import type { Task, User } from '../events/event.ts';

/** Users and tasks (steps): what events refer to and what the pages edit. */
export interface Catalog {
  /**
   * The store assigns the id unless one is given (imports, tests: the public API never passes one):
   * never one handed out before, never past UInt32.
   */
  createUser(user: Omit<User, 'id'> & { id?: number | undefined }): Promise<User>;
  getUser(id: number): Promise<User | undefined>;
  getUsers(ids: readonly number[]): Promise<Map<number, User>>;
  listUsers(page: PageRequest): Promise<User[]>;
  /** Users whose name or email contains `text` (case-insensitive), by id. */
  searchUsers(text: string, page: PageRequest): Promise<User[]>;
  updateUser(user: User): Promise<User | undefined>;
  /**
   * A number that changes whenever any user is updated or deleted, by any process sharing the
   * store (committed with the change): what a cache of users checks to stay fresh.
   */
  usersVersion(): Promise<number>;

  createTask(task: TaskDraft): Promise<Task>;
  getTask(id: number): Promise<Task | undefined>;
  listTasks(page: PageRequest): Promise<Task[]>;
  updateTask(task: Task): Promise<Task | undefined>;
  /** False when the task does not exist; ConflictError when events refer to it. */
  deleteTask(id: number): Promise<boolean>;
}

export type TaskDraft = Omit<Task, 'id' | 'answer'> & { id?: number | undefined; answer?: string | undefined };

export interface PageRequest {
  readonly limit: number;
  /** Only ids greater than this. */
  readonly after: number;
}
