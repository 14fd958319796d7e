import { AppError } from './app-error.ts';

/** steplog cannot copy this engine's data itself; the message names the engine's own tool. */
export class BackupUnsupportedError extends AppError {
  readonly code = 'backup_unsupported';
  readonly httpStatus = 501;
}
