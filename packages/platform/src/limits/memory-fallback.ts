/**
 * `shared` with every method falling back to the same method of `local` when it throws (Redis
 * away or too slow). Generic on purpose: a method added to the interface later, implemented by
 * both, inherits the fallback without touching this file. Every method becomes async: meant for
 * interfaces whose methods already are.
 */
export function withLocalFallback<T extends object>(shared: T, local: T): T {
  return new Proxy(shared, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      const fallback = Reflect.get(local, property) as unknown;
      if (typeof value !== 'function' || typeof fallback !== 'function') return value;
      return async (...args: unknown[]) => {
        try {
          return await value.apply(target, args);
        } catch {
          return fallback.apply(local, args);
        }
      };
    },
  });
}
