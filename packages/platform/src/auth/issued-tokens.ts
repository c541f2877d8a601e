import type { ServiceTokenEntry } from './service-tokens';

/**
 * Service tokens issued at run time (issueServiceToken), by hash: the gateway's cache of auth's
 * `service_tokens` table. The gateway consults it after the configured SERVICE_TOKENS.
 */
export interface IssuedTokenStore {
  add(entry: ServiceTokenEntry): Promise<void>;
  remove(sha256s: readonly string[]): Promise<void>;
  find(sha256: string): Promise<{ name: string; scopes: string[] } | null>;
}

type Entries = Map<string, { name: string; scopes: string[] }>;
type Change = (entries: Entries) => void;

export class MemoryIssuedTokenStore implements IssuedTokenStore {
  private entries: Entries = new Map();
  /** Changes heard while a reload is in flight, replayed onto its snapshot. */
  private readonly inFlight = new Set<Change[]>();

  async add(entry: ServiceTokenEntry): Promise<void> {
    this.apply((entries) =>
      entries.set(entry.sha256, { name: entry.name, scopes: [...entry.scopes] }),
    );
  }

  async remove(sha256s: readonly string[]): Promise<void> {
    this.apply((entries) => sha256s.forEach((sha256) => entries.delete(sha256)));
  }

  async find(sha256: string): Promise<{ name: string; scopes: string[] } | null> {
    return this.entries.get(sha256) ?? null;
  }

  /**
   * Replaces the entries with the live tokens `load` returns. A change applied while the load is
   * in flight may be missing from its snapshot (an issue) or undone by it (a revocation read
   * before it committed), so every such change is replayed onto the snapshot.
   */
  async reload(load: () => Promise<readonly ServiceTokenEntry[]>): Promise<void> {
    const changes: Change[] = [];
    this.inFlight.add(changes);
    try {
      const snapshot = await load();
      const next: Entries = new Map(
        snapshot.map((e) => [e.sha256, { name: e.name, scopes: [...e.scopes] }]),
      );
      for (const change of changes) change(next);
      this.entries = next;
    } finally {
      this.inFlight.delete(changes);
    }
  }

  private apply(change: Change): void {
    change(this.entries);
    for (const changes of this.inFlight) changes.push(change);
  }
}
