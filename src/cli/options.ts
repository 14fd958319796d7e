import { InvalidArgumentError, Option } from 'commander';
import { addDays, daySpan, MAX_DAYS } from '../analytics/days.ts';
import { loadConfig } from '../config/config.ts';
import type { DayRange } from '../analytics/days.ts';
import { warehouseAccess, type WarehouseAccess } from './warehouse-access.ts';

/** Parses a YYYY-MM-DD option. */
export const day = (value: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new InvalidArgumentError('expected a day as YYYY-MM-DD');
  }
  return value;
};

/** Parses a whole-number option from 1 to `max`. */
export const wholeNumber =
  (max: number) =>
  (value: string): number => {
    if (!/^[1-9][0-9]*$/.test(value) || Number(value) > max) {
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    }
    return Number(value);
  };

export const today = () => new Date().toISOString().slice(0, 10);

/** --from / --to with their defaults: the `defaultDays` days ending today. */
export function dayRange(opts: { from?: string; to?: string }, defaultDays = 30): DayRange {
  const to = opts.to ?? today();
  const range = { from: opts.from ?? addDays(to, 1 - defaultDays), to };
  if (range.from > range.to) throw new InvalidArgumentError('--to must not be before --from');
  if (daySpan(range.from, range.to) >= MAX_DAYS) {
    throw new InvalidArgumentError(`the range must span at most ${MAX_DAYS} days`);
  }
  return range;
}

export const fromOption = () => new Option('--from <day>', 'first UTC day, YYYY-MM-DD').argParser(day);
export const toOption = () => new Option('--to <day>', 'last UTC day, YYYY-MM-DD (default: today)').argParser(day);
export const urlOption = () =>
  new Option(
    '--url <url>',
    'go through the steplog server at this URL (default: STEPLOG_URL, or this machine while its server owns the warehouse)',
  );

export const keyOption = () =>
  new Option('--key <key>', 'the API key sent to a running server (default: STEPLOG_API_KEY)');

/** The flags of a command that may talk to a running server. */
export interface ServerFlags {
  url?: string;
  key?: string;
}

/** Runs `work` against the warehouse (direct, or through the server that owns it) and closes it. */
export async function withWarehouse(
  flags: ServerFlags,
  work: (access: WarehouseAccess) => Promise<void>,
): Promise<void> {
  const config = loadConfig();
  const access = await warehouseAccess(config, flags.url, flags.key ?? config.apiKey);
  try {
    await work(access);
  } finally {
    await access.close();
  }
}
