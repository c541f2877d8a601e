/**
 * What a personal API key may be granted (README "API keys"). A field a key may reach names one of
 * these in its `@tier(capability:)`; `Query.apiKeyCapabilities` publishes the list. Spending
 * happens only through AI holds today, so `ai:generate` covers it; a `credits:spend` capability
 * waits for a user-facing spend field.
 */
export const API_KEY_CAPABILITIES = [
  'profile:read',
  'orgs:read',
  'orgs:write',
  'credits:read',
  'ai:generate',
] as const;
export type ApiKeyCapability = (typeof API_KEY_CAPABILITIES)[number];

/** Every key starts with it, so the gateway tells a key from a JWT or a service token at a glance. */
export const API_KEY_PREFIX = 'bk_';

export function isApiKeyCapability(value: string): value is ApiKeyCapability {
  return (API_KEY_CAPABILITIES as readonly string[]).includes(value);
}

/** A live personal API key as gateways hold it: the hash, never the key. */
export interface ApiKeyEntry {
  id: string;
  userId: string;
  /** Hex SHA-256 of the whole key (`bk_...`). */
  sha256: string;
  capabilities: string[];
  /** The organization the key is bound to (the viewer's organization), or null. */
  organizationId: string | null;
  creditCeiling: number | null;
  ceilingPeriod: 'DAY' | 'MONTH' | null;
  /** ISO time after which the key is refused, or null. */
  expiresAt: string | null;
  /**
   * The user's email is verified, as auth's state says (VERIFIED fields). Only verified users
   * create keys, and no flow unverifies an address, so it is true in practice.
   */
  emailVerified: boolean;
}

type KeyEntries = Map<string, ApiKeyEntry>;
type KeyChange = (entries: KeyEntries) => void;

/**
 * Live API keys by hash: a gateway's copy of auth's `api_keys` table (loaded with the revocation
 * state, then fed by API_KEY_CREATED / API_KEY_REVOKED broadcasts). In one process auth and the
 * gateway share it, so a key works the moment createApiKey returns.
 */
export class MemoryApiKeyStore {
  private entries: KeyEntries = new Map();
  /** Changes heard while a reload is in flight, replayed onto its snapshot. */
  private readonly inFlight = new Set<KeyChange[]>();

  async add(entry: ApiKeyEntry): Promise<void> {
    this.apply((entries) => entries.set(entry.sha256, { ...entry }));
  }

  async remove(sha256s: readonly string[]): Promise<void> {
    this.apply((entries) => sha256s.forEach((sha256) => entries.delete(sha256)));
  }

  async find(sha256: string): Promise<ApiKeyEntry | null> {
    return this.entries.get(sha256) ?? null;
  }

  /**
   * Replaces the entries with the live keys `load` returns; a change applied while the load is
   * in flight (a creation missing from the snapshot, a revocation it predates) is replayed onto it.
   */
  async reload(load: () => Promise<readonly ApiKeyEntry[]>): Promise<void> {
    const changes: KeyChange[] = [];
    this.inFlight.add(changes);
    try {
      const snapshot = await load();
      const next: KeyEntries = new Map(snapshot.map((e) => [e.sha256, { ...e }]));
      for (const change of changes) change(next);
      this.entries = next;
    } finally {
      this.inFlight.delete(changes);
    }
  }

  private apply(change: KeyChange): void {
    change(this.entries);
    for (const changes of this.inFlight) changes.push(change);
  }
}

/** The largest credit ceiling a key may carry (the ledger's largest single amount by default). */
export const API_KEY_MAX_CEILING = 1_000_000;
