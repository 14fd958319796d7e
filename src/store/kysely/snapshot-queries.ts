import type { Kysely } from 'kysely';
import { BackupUnsupportedError } from '../../errors/backup-unsupported.ts';
import type { StoreSnapshot } from '../snapshot.ts';
import type { Database } from './database.ts';
import type { SqlDialect } from './sql-dialect.ts';

export class KyselySnapshot implements StoreSnapshot {
  readonly refusal: string | null;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: SqlDialect,
  ) {
    this.refusal = 'refusal' in dialect.backup ? dialect.backup.refusal : null;
  }

  async batchesInDoubt(): Promise<number> {
    let events = 0;
    for (const outbox of ['outbox', 'site_outbox'] as const) {
      const row = await this.db
        .selectFrom(outbox)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('batch_id', 'is not', null)
        .executeTakeFirstOrThrow();
      events += Number(row.n);
    }
    return events;
  }

  copyTo(target: string): Promise<void> {
    const { backup } = this.dialect;
    if ('refusal' in backup) return Promise.reject(new BackupUnsupportedError(backup.refusal));
    return backup.copyTo(target);
  }
}
