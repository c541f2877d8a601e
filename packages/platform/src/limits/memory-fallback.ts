/**
 * How many keys a process's own limiter keeps. A flood of distinct keys (addresses, emails) within
 * one window would otherwise grow the map until the windows end; at ~200 bytes a key this is
 * ~20 MB at most.
 */
export const MAX_MEMORY_LIMIT_KEYS = 100_000;

/**
 * Makes room in a map kept in the order its windows started (a restarted window is re-inserted
 * at the end): drops entries from the front while they are expired, and while the map is over
 * `maxEntries` drops the oldest even if live. Amortized O(1) per insert, unlike a full sweep.
 * An evicted live window restarts at zero: the cost of a bound, paid by the oldest key first.
 */
export function evictOldest<V>(
  entries: Map<string, V>,
  maxEntries: number,
  isExpired: (value: V) => boolean,
): void {
  for (const [key, value] of entries) {
    if (entries.size <= maxEntries && !isExpired(value)) return;
    entries.delete(key);
  }
}
