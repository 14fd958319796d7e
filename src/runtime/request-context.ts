import { AsyncLocalStorage } from 'node:async_hooks';

/** The request being handled, wherever its work runs (its pipeline calls and log lines included). */
export interface RequestContext {
  readonly requestId: string;
  /** The route pattern (`/api/marts/funnel`), never the URL. */
  readonly route: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export const currentRequest = (): RequestContext | undefined => storage.getStore();

export const runInRequest = <T>(context: RequestContext, work: () => T): T => storage.run(context, work);

/** Runs `work` outside any request: timers it starts (a background load) carry no request id. */
export const outsideRequest = <T>(work: () => T): T => storage.exit(work);

/** A pino mixin: the request id on every line logged while a request is handled, by any logger. */
export const requestIdMixin = (): { reqId?: string } => {
  const context = storage.getStore();
  return context ? { reqId: context.requestId } : {};
};
