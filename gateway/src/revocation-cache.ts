import {
  AppError,
  MemoryApiKeyStore,
  MemoryIssuedTokenStore,
  MemoryRevocationList,
  type ApiKeyEntry,
  type Logger,
  type RevocationList,
  type RevocationSubject,
} from '@bastion/platform';
import type { RevocationState } from './revocation-state-client';

/** How long a request waits for Redis before the memory copy alone decides. */
const FAST_PATH_TIMEOUT_MS = 250;

export interface RevocationCacheOptions {
  /** This replica's copy: authoritative for every check. Shared with auth in one process. */
  memory: MemoryRevocationList;
  issued: MemoryIssuedTokenStore;
  apiKeys: MemoryApiKeyStore;
  /** Redis, which auth writes to right after commit, so other processes' logouts bite at once. */
  fastPath?: RevocationList;
  load: () => Promise<RevocationState>;
  logger: Logger;
}

/**
 * The gateway's cache of auth's revocations and issued service tokens. Until the first load from
 * auth succeeds it refuses user access tokens and issued tokens: fail closed, since an empty
 * list would let every signed-out or revoked credential back in after a restart.
 */
export class RevocationCache {
  private loaded = false;
  private reloading: Promise<void> | null = null;

  constructor(private readonly options: RevocationCacheOptions) {}

  get isLoaded(): boolean {
    return this.loaded;
  }

  /** Rebuilds from auth; concurrent calls share one load. Rejects when auth cannot answer. */
  reload(): Promise<void> {
    this.reloading ??= this.loadOnce().finally(() => {
      this.reloading = null;
    });
    return this.reloading;
  }

  private async loadOnce(): Promise<void> {
    const { memory, issued, apiKeys } = this.options;
    let state: RevocationState | undefined;
    // Both stores replay what they hear during the load onto the one snapshot.
    await apiKeys.reload(async () => {
      await issued.reload(async () => {
        state = await this.options.load();
        return state.serviceTokens;
      });
      return state!.apiKeys;
    });
    // Revocations only accumulate (and expire on their own), so merging is always safe.
    for (const id of state!.revokedSessionIds) await memory.revokeSession(id);
    for (const cutoff of state!.userCutoffs)
      await memory.revokeUserTokens(cutoff.userId, cutoff.validAfter);
    for (const cutoff of state!.organizationCutoffs) await memory.revokeOrganizationTokens(cutoff);
    this.loaded = true;
  }

  async isRevoked(viewer: RevocationSubject): Promise<boolean> {
    this.assertLoaded();
    if (await this.options.memory.isRevoked(viewer)) return true;
    return this.askFastPath((list) => list.isRevoked(viewer));
  }

  /** The identity of a live issued service token, or null. */
  async findIssued(sha256: string): Promise<{ name: string; scopes: string[] } | null> {
    this.assertLoaded();
    const identity = await this.options.issued.find(sha256);
    if (!identity || (await this.options.memory.isServiceTokenRevoked(sha256))) return null;
    return (await this.askFastPath((list) => list.isServiceTokenRevoked(sha256))) ? null : identity;
  }

  /**
   * A live personal API key by hash, or null (unknown, revoked here, or revoked per Redis).
   * Expiry is the caller's to check, per request.
   */
  async findApiKey(sha256: string): Promise<ApiKeyEntry | null> {
    this.assertLoaded();
    const entry = await this.options.apiKeys.find(sha256);
    if (!entry || (await this.options.memory.isServiceTokenRevoked(sha256))) return null;
    return (await this.askFastPath((list) => list.isServiceTokenRevoked(sha256))) ? null : entry;
  }

  private assertLoaded(): void {
    if (!this.loaded)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'Revocations are not loaded yet; try again shortly.',
      });
  }

  /** Redis may only add a refusal: an error or a slow answer leaves the decision to memory. */
  private async askFastPath(ask: (list: RevocationList) => Promise<boolean>): Promise<boolean> {
    const { fastPath, logger } = this.options;
    if (!fastPath) return false;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((done) => {
      timer = setTimeout(() => done(false), FAST_PATH_TIMEOUT_MS);
    });
    const answer = ask(fastPath).catch((error: unknown) => {
      // The Redis client warns once per outage; one line per request would flood the log.
      logger.debug({ err: error }, 'revocation fast path failed; the memory copy decides');
      return false;
    });
    try {
      return await Promise.race([answer, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
