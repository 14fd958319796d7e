/**
 * A failure that knows how it is answered: a stable code, the HTTP status and, for the 5xx
 * family, whether the operator must see it in the log. The HTTP shell answers every AppError the
 * same way, so a new error from any layer needs no edit there.
 */
export abstract class AppError extends Error {
  abstract readonly code: string;
  abstract readonly httpStatus: number;
  /** The request field at fault, as a JSON path. */
  readonly field: string | undefined;
  /** Logged at this level when answered; undefined for the client's own mistakes. */
  readonly logLevel: 'warn' | 'error' | undefined;

  constructor(message: string, options?: { cause?: unknown; field?: string | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.field = options?.field;
  }

  /** What the client is told; a failure whose message holds internals overrides this. */
  get clientMessage(): string {
    return this.message;
  }
}
