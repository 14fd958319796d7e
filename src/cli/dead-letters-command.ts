import { Command, Option } from 'commander';
import { loadConfig } from '../config/config.ts';
import { MAX_UINT32 } from '../events/limits.ts';
import { openDeadLetters } from '../adapters.ts';
import type { DeadLetters } from '../queue/transport.ts';
import { wholeNumber } from './options.ts';
import { printTable } from './table.ts';

interface Selection {
  id?: number[];
  all?: boolean;
}

/** The dead letters live in the store, which a running server shares: these work with or without one. */
async function withDeadLetters(work: (deadLetters: DeadLetters) => Promise<void>): Promise<void> {
  const opened = await openDeadLetters(loadConfig());
  try {
    await work(opened.deadLetters);
  } finally {
    await opened.close();
  }
}

const idOption = () =>
  new Option('--id <id...>', "dead letter ids (the events' sequence ids, as `list` shows)").argParser(
    (value: string, previous: number[] | undefined) => [...(previous ?? []), wholeNumber(MAX_UINT32)(value)],
  );

function chosen({ id, all }: Selection): number[] | undefined {
  if (all === true && id) throw new Error('give --id or --all, not both');
  if (all === true) return undefined;
  if (!id) throw new Error('give --id <id...> or --all');
  return id;
}

/** `steplog dead-letters list|retry|drop`: events the warehouse refused for good. */
export const deadLettersCommand = new Command('dead-letters').description(
  'events the warehouse refused for good (kept out of the backlog)',
);
deadLettersCommand
  .command('list')
  .description("list dead letters with the warehouse's answer")
  .addOption(new Option('--limit <n>', 'most rows').argParser(wholeNumber(10_000)).default(100))
  .addOption(new Option('--after <id>', 'only ids above this').argParser(wholeNumber(MAX_UINT32)).default(0))
  .action((opts: { limit: number; after: number }) =>
    withDeadLetters(async (deadLetters) => {
      const [total, letters] = await Promise.all([deadLetters.count(), deadLetters.list(opts)]);
      printTable(
        ['id', 'event_id', 'time', 'user', 'step', 'action', 'failed at', 'job', 'error'],
        letters.map(({ event, error, failedAt, jobId }) => [
          event.id,
          event.eventId,
          new Date(event.time).toISOString(),
          event.userId,
          event.stepId,
          event.actionId,
          new Date(failedAt).toISOString(),
          jobId,
          error.slice(0, 120),
        ]),
      );
      console.log(`${total} dead letter(s)`);
    }),
  );
const actions = {
  retry: [
    'put dead letters back into the backlog once the cause is fixed; the next load delivers each once',
    'back in the backlog',
  ],
  drop: ['give dead letters up: they stay in the store and never reach the warehouse', 'dropped'],
} as const;
for (const [action, [description, done]] of Object.entries(actions) as [
  keyof typeof actions,
  readonly [string, string],
][]) {
  deadLettersCommand
    .command(action)
    .description(description)
    .addOption(idOption())
    .option('--all', 'every dead letter')
    .action((opts: Selection) =>
      withDeadLetters(async (deadLetters) => {
        console.log(`${await deadLetters[action](chosen(opts))} dead letter(s) ${done}`);
      }),
    );
}
