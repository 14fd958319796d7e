import { OperationNodeTransformer, TableNode, type Kysely, type KyselyPlugin, type Selectable } from 'kysely';
import type { StoredEvent } from '../../events/event.ts';
import type { StoredSiteEvent } from '../../events/site-event.ts';
import type { Database } from '../../store/kysely/database.ts';
import { toEvent } from '../../store/kysely/rows.ts';
import { toSiteEvent } from '../../store/kysely/site-event-log-queries.ts';
import type { QueuedEvent } from '../transport.ts';

/** The four tables of an outbox, named as the learning family's; another family renames them. */
type OutboxTable = 'events' | 'outbox' | 'outbox_batches' | 'dead_letters';

/**
 * An event family as the outbox sees it: its tables (shaped alike, the events table apart) and how
 * a row of its events table becomes an event. The queries are written once against the learning
 * names; a family with other tables runs them through a plugin that swaps the table names.
 */
export interface OutboxFamily<E extends QueuedEvent> {
  /** Table names other than the learning ones. */
  readonly tables?: Readonly<Record<OutboxTable, string>>;
  /** Prefix of batch tokens, distinct per family so no two families' inserts share one. */
  readonly tokenPrefix: string;
  // Method syntax: each family's rows are its own table's, which the shared queries type as `events`.
  toEvent(row: Selectable<Database['events']>): E;
}

export const learningOutbox: OutboxFamily<StoredEvent> = { tokenPrefix: 'steplog:b', toEvent };

export const siteOutbox: OutboxFamily<StoredSiteEvent> = {
  tables: {
    events: 'site_events',
    outbox: 'site_outbox',
    outbox_batches: 'site_outbox_batches',
    dead_letters: 'site_dead_letters',
  },
  tokenPrefix: 'steplog:site:b',
  toEvent: (row) => toSiteEvent(row as unknown as Selectable<Database['site_events']>),
};

/** The database as the family's outbox queries see it. */
export function familyDb<E extends QueuedEvent>(db: Kysely<Database>, family: OutboxFamily<E>): Kysely<Database> {
  return family.tables ? db.withPlugin(new RenameTables(family.tables)) : db;
}

class RenameTables implements KyselyPlugin {
  private readonly transformer: TableRenamer;
  constructor(names: Readonly<Record<string, string>>) {
    this.transformer = new TableRenamer(names);
  }
  transformQuery: KyselyPlugin['transformQuery'] = ({ node }) => this.transformer.transformNode(node);
  transformResult: KyselyPlugin['transformResult'] = ({ result }) => Promise.resolve(result);
}

class TableRenamer extends OperationNodeTransformer {
  constructor(private readonly names: Readonly<Record<string, string>>) {
    super();
  }
  protected override transformTable(node: TableNode): TableNode {
    const renamed = this.names[node.table.identifier.name];
    return renamed === undefined ? super.transformTable(node) : TableNode.create(renamed);
  }
}
