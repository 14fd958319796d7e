import { pino, type Logger } from 'pino';
import type { Config } from '../config/config.ts';
import { requestIdMixin } from './request-context.ts';

/**
 * The process logger: JSON lines on stdout, or colored lines for a terminal
 * (`STEPLOG_LOG_FORMAT=pretty`, pino-pretty in a worker thread). Lines logged while a request is
 * handled carry its `reqId`.
 */
export function createLogger(config: Pick<Config, 'logLevel' | 'logFormat'>): Logger {
  const options = { level: config.logLevel, mixin: requestIdMixin };
  if (config.logFormat === 'json') return pino(options);
  return pino(options, pino.transport({ target: 'pino-pretty', options: { destination: 1 } }));
}
