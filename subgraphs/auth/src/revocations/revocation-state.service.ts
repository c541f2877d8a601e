import type { DataSource, EntityManager } from 'typeorm';
import { schemaOf, type ApiKeyEntry } from '@bastion/platform';

export interface RevocationState {
  revokedSessionIds: string[];
  userCutoffs: { userId: string; validAfter: Date }[];
  organizationCutoffs: {
    organizationId: string;
    userId: string | null;
    role: string | null;
    changedAt: Date;
  }[];
  serviceTokens: { name: string; scopes: string[]; sha256: string }[];
  apiKeys: ApiKeyEntry[];
}

/**
 * What a gateway needs to refuse revoked credentials: revocations younger than the longest access
 * token (older ones only concern expired tokens), the live issued service tokens and the live,
 * unexpired personal API keys, hashes only.
 */
export class RevocationStateService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly accessTokenTtlSeconds: number,
    /** The live personal API keys, read in the same snapshot (ApiKeyService.live). */
    private readonly liveApiKeys: (manager: EntityManager) => Promise<ApiKeyEntry[]>,
  ) {}

  async current(): Promise<RevocationState> {
    const s = schemaOf(this.dataSource);
    const since = this.horizon();
    // One snapshot, so revocations and tokens agree with each other.
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const rows: { kind: string; subject_id: string; valid_after: Date | null }[] =
        await manager.query(
          `SELECT kind, subject_id, valid_after FROM ${s}.token_revocations WHERE revoked_at > $1`,
          [since],
        );
      const cutoffs: {
        organization_id: string;
        user_id: string | null;
        role: string | null;
        changed_at: Date;
      }[] = await manager.query(
        `SELECT organization_id, user_id, role, changed_at FROM ${s}.organization_token_cutoffs WHERE changed_at > $1`,
        [since],
      );
      const tokens: { name: string; scopes: string[]; sha256: string }[] = await manager.query(
        `SELECT name, scopes, sha256 FROM ${s}.service_tokens WHERE revoked_at IS NULL ORDER BY created_at`,
      );
      const apiKeys = await this.liveApiKeys(manager);
      return {
        apiKeys,
        revokedSessionIds: rows.filter((r) => r.kind === 'session').map((r) => r.subject_id),
        userCutoffs: rows
          .filter((r) => r.kind === 'user')
          .map((r) => ({ userId: r.subject_id, validAfter: new Date(r.valid_after!) })),
        organizationCutoffs: cutoffs.map((c) => ({
          organizationId: c.organization_id,
          userId: c.user_id,
          role: c.role,
          changedAt: new Date(c.changed_at),
        })),
        serviceTokens: tokens.map((t) => ({ name: t.name, scopes: t.scopes, sha256: t.sha256 })),
      };
    });
  }

  /** Drops revocations no live access token can be affected by any more. */
  async prune(): Promise<number> {
    const s = schemaOf(this.dataSource);
    const result: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM ${s}.token_revocations WHERE revoked_at <= $1`,
      [this.horizon()],
    );
    const cutoffs: [unknown[], number] = await this.dataSource.query(
      `DELETE FROM ${s}.organization_token_cutoffs WHERE changed_at <= $1`,
      [this.horizon()],
    );
    return (result[1] ?? 0) + (cutoffs[1] ?? 0);
  }

  private horizon(): Date {
    // A minute of slack covers clock skew between auth and the gateways.
    return new Date(Date.now() - (this.accessTokenTtlSeconds + 60) * 1000);
  }
}
