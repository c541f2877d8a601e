import type { ApolloServerPlugin } from '@apollo/server';

/**
 * The request each error arose in, for the error formatter: Apollo's `formatError` is given the
 * error and nothing of the request. Kept by the error object (weakly), not by an
 * AsyncLocalStorage scope, whose promise hooks would cost every promise of the process
 * (docs/performance.md "The request id without AsyncLocalStorage").
 */
const requestIds = new WeakMap<object, string>();

/** Records that `error` arose while serving `requestId` (an error object thrown again: its latest request). */
export function tagErrorWithRequestId(error: unknown, requestId: string): void {
  if (error !== null && typeof error === 'object') requestIds.set(error, requestId);
}

/** The request `error`, or an error it wraps (Apollo wraps what it did not raise itself), arose in. */
export function requestIdOfError(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 4 && current !== null && typeof current === 'object'; depth++) {
    const found = requestIds.get(current);
    if (found !== undefined) return found;
    current = (current as { originalError?: unknown }).originalError;
  }
  return undefined;
}

/**
 * Tags the errors of each request with the request's id before Apollo formats them: every error
 * of the request pipeline (parse, validation, plugins, execution) goes through
 * `didEncounterErrors` just before `formatError`, with the same objects.
 */
export function requestIdPlugin<C extends { requestId: string }>(): ApolloServerPlugin<C> {
  const listener = {
    async didEncounterErrors({
      errors,
      contextValue,
    }: {
      errors: readonly unknown[];
      contextValue: C;
    }): Promise<void> {
      const requestId = contextValue?.requestId;
      if (typeof requestId !== 'string') return;
      for (const error of errors) tagErrorWithRequestId(error, requestId);
    },
  };
  return {
    async requestDidStart() {
      return listener;
    },
  };
}
