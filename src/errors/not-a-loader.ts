import { AppError } from './app-error.ts';

/** A `--role api` process was asked to load: loads run in the loader processes, on their own schedule. */
export class NotALoaderError extends AppError {
  readonly code = 'not_a_loader';
  readonly httpStatus = 409;

  constructor() {
    super(
      'this process serves the API only (--role api): the loader processes (--role loader) load the backlog ' +
        'every flush interval and as soon as a batch of events is waiting',
    );
  }
}
