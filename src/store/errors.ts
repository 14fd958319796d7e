import { AppError } from '../errors/app-error.ts';

/** A write that contradicts what is stored (a taken name, a task that events refer to). */
export class ConflictError extends AppError {
  readonly code = 'conflict';
  readonly httpStatus = 409;

  constructor(field: string, message: string) {
    super(message, { field });
    this.name = 'ConflictError';
  }
}

/** The store cannot write now (disk full, read-only or failing storage); nothing was committed. */
export class StoreUnavailableError extends AppError {
  readonly code = 'store_unavailable';
  readonly httpStatus = 503;
  override readonly logLevel = 'error';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }

  // The cause names files and engine errors: the log gets them, the client a plain sentence.
  override get clientMessage(): string {
    return 'storage cannot accept writes now; nothing was written';
  }
}
