import { jsonEachRow } from '../warehouse/json-each-row.ts';
import { byMonth, INSERT_BLOCK_ROWS, type Block } from './blocks.ts';
import type { WarehouseRow } from './family.ts';
import { utcDayPrefix } from './warehouse-time.ts';

interface EncodedMonth {
  readonly rows: number;
  readonly text: Buffer;
}

/**
 * A batch's rows encoded as JSONEachRow text before their insert, one text per month of event time
 * that goes in one insert (the blocks insertBlocks cuts; a month of more than INSERT_BLOCK_ROWS
 * rows goes in pieces, each encoded at its insert, so no text larger than one insert is held): the
 * loader encodes batch N+1 while N inserts, so N's insert starts with its text ready. Each row's
 * line lives only while its month is encoded; the text is a buffer off the JS heap, handed to the
 * engine as it is.
 */
export class EncodedMonths {
  private readonly monthOf = utcDayPrefix(7);

  private constructor(private readonly months: ReadonlyMap<string, EncodedMonth>) {}

  static of(rows: readonly WarehouseRow[]): EncodedMonths {
    const months = new Map<string, EncodedMonth>();
    for (const [month, part] of byMonth(rows)) {
      if (part.length <= INSERT_BLOCK_ROWS) months.set(month, { rows: part.length, text: jsonEachRow(part) });
    }
    return new EncodedMonths(months);
  }

  /**
   * A non-empty block's text: its month's, encoded before, when the block holds that whole month
   * (a block is cut from the batch's rows of one month, in their order); encoded now when it holds
   * fewer (rows another loader claimed or the warehouse already holds left out, a refused block
   * halved, a piece of a month too large for one insert).
   */
  textOf(block: Block): Buffer {
    const month = this.months.get(this.monthOf(block.rows[0]!.time));
    return month?.rows === block.rows.length ? month.text : jsonEachRow(block.rows);
  }
}
