import type { Logger } from 'pino';

/** The part of `process` this uses: where signals arrive and how the process ends. */
export type SignalTarget = Pick<NodeJS.EventEmitter, 'on'> & { exit(code: number): void };

/**
 * SIGINT/SIGTERM: stop accepting requests, finish the running load, close the stores — within
 * `timeoutMs`, after which the process exits anyway (a load cut off there is safe: its batch is
 * formed and comes back whole on the next start). A second signal exits at once.
 */
export function closeOnSignals(
  log: Logger,
  timeoutMs: number,
  close: () => Promise<void>,
  target: SignalTarget = process,
): void {
  let closing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      log.warn({ signal }, 'second signal: exiting now');
      target.exit(1);
      return;
    }
    closing = true;
    log.info({ signal, timeoutMs }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown took too long: exiting with work unfinished (it resumes on the next start)');
      target.exit(1);
    }, timeoutMs);
    close().then(
      () => {
        clearTimeout(deadline);
        log.info('shut down');
        target.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        target.exit(1);
      },
    );
  };
  target.on('SIGINT', onSignal);
  target.on('SIGTERM', onSignal);
}
