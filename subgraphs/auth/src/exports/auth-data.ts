import type { DataSource } from 'typeorm';
import { ApiKeyEntity } from '../api-keys/api-key.entity';
import { MfaFactorEntity } from '../mfa/mfa.entities';
import { OAuthAccountEntity } from '../oauth/oauth-account.entity';
import { SessionEntity } from '../sessions/session.entity';
import { UserEntity } from '../users/user.entity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (date: Date | null) => (date ? date.toISOString() : null);

/**
 * Auth's part of a user's data export (README "Your data"): the profile, every session (revoked
 * ones included), the linked sign-in providers, the second factors and the API keys (revoked ones
 * included), without any secret (password hash, TOTP secret, public keys, refresh tokens, key hashes). Null for an unknown user. The
 * user's security events are kept by orgs' audit log and come in its part.
 */
export async function authDataExport(dataSource: DataSource, userId: string) {
  if (!UUID.test(userId)) return null;
  const user = await dataSource.getRepository(UserEntity).findOneBy({ id: userId });
  if (!user) return null;
  const [sessions, providers, factors, apiKeys] = await Promise.all([
    dataSource
      .getRepository(SessionEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } }),
    dataSource
      .getRepository(OAuthAccountEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } }),
    dataSource
      .getRepository(MfaFactorEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } }),
    dataSource
      .getRepository(ApiKeyEntity)
      .find({ where: { userId }, order: { createdAt: 'ASC', id: 'ASC' } }),
  ]);
  return {
    profile: {
      id: user.id,
      email: user.email,
      displayName: user.displayName,
      emailVerified: user.emailVerifiedAt !== null,
      emailVerifiedAt: iso(user.emailVerifiedAt),
      mfaEnabled: user.mfaEnabled,
      createdAt: iso(user.createdAt),
      updatedAt: iso(user.updatedAt),
    },
    sessions: sessions.map((s) => ({
      id: s.id,
      createdAt: iso(s.createdAt),
      lastUsedAt: iso(s.lastUsedAt),
      expiresAt: iso(s.expiresAt),
      revokedAt: iso(s.revokedAt),
      revokedReason: s.revokedReason,
      userAgent: s.userAgent,
      ip: s.ip,
      organizationId: s.organizationId,
      signInMethods: s.amr,
    })),
    linkedProviders: providers.map((p) => ({
      provider: p.provider,
      subject: p.subject,
      email: p.email,
      linkedAt: iso(p.createdAt),
    })),
    mfaFactors: factors
      .filter((f) => f.confirmedAt !== null)
      .map((f) => ({
        id: f.id,
        kind: f.kind,
        name: f.name,
        createdAt: iso(f.createdAt),
        lastUsedAt: iso(f.lastUsedAt),
      })),
    apiKeys: apiKeys.map((k) => ({
      id: k.id,
      name: k.name,
      prefix: k.prefix,
      capabilities: k.capabilities,
      organizationId: k.organizationId,
      creditCeiling: k.creditCeiling,
      ceilingPeriod: k.ceilingPeriod,
      expiresAt: iso(k.expiresAt),
      lastUsedAt: iso(k.lastUsedAt),
      revokedAt: iso(k.revokedAt),
      createdAt: iso(k.createdAt),
    })),
  };
}
