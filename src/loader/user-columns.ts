import { isGuest, type User } from '../events/event.ts';
import type { Catalog } from '../store/catalog.ts';
import type { WarehouseEventRow } from './denormalize.ts';
import { toEpochSeconds } from './warehouse-time.ts';

export type UserColumns = Pick<WarehouseEventRow, 'join_date' | 'registration_date' | 'name' | 'email' | 'is_guest'>;

const userColumns = (user: User): UserColumns => ({
  join_date: toEpochSeconds(user.joinDate),
  registration_date: user.registrationDate === null ? null : toEpochSeconds(user.registrationDate),
  name: user.name,
  email: user.email,
  is_guest: isGuest(user) ? 1 : 0,
});

/**
 * Users' warehouse columns, formatted once and kept across batches: a backlog holds many events of
 * the same users. Fresh across processes: each batch first reads the store's users version
 * (Catalog.usersVersion, bumped in the same transaction as every update or delete of a user, by
 * whichever process makes it) and drops everything cached when it moved. Reading the version
 * before the users makes the check safe: a change committed after the read bumps it past what the
 * cache holds, so the next batch refetches; a change committed before is in what it fetches.
 * New users need no bump: an id is in no cache until a batch fetched it, and ids are never reused.
 * The batch sees its users as of that batch, as a fetch per batch did.
 *
 * At most `maxUsers` are kept (the loader passes its batch size, so the cache holds no more users
 * than one batch can name: a user's columns are well inside the per-row share of a load's memory
 * budget, src/config/memory-budget.ts); past it the cache starts over from the batch's own users.
 */
export class UserColumnsCache {
  private readonly columns = new Map<number, UserColumns>();
  private version: number | undefined;

  constructor(
    private readonly users: Pick<Catalog, 'getUsers' | 'usersVersion'>,
    private readonly maxUsers: number,
  ) {}

  /** The columns of every user in `ids` that exists (a missing one is absent from the map). */
  async of(ids: readonly number[]): Promise<ReadonlyMap<number, UserColumns>> {
    const version = await this.users.usersVersion();
    if (version !== this.version) {
      this.columns.clear();
      this.version = version;
    }
    const wanted = [...new Set(ids)];
    let missing = wanted.filter((id) => !this.columns.has(id));
    if (this.columns.size + missing.length > this.maxUsers) {
      this.columns.clear();
      missing = wanted;
    }
    if (missing.length > 0) {
      for (const [id, user] of await this.users.getUsers(missing)) this.columns.set(id, userColumns(user));
    }
    return this.columns;
  }
}
