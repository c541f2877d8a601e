import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import {
  API_KEY_CAPABILITIES,
  API_KEY_MAX_CEILING,
  API_KEY_PREFIX,
  AppError,
  badInput,
  enqueueEvent,
  isApiKeyCapability,
  requireOrganizationMfa,
  schemaOf,
  sha256Hex,
  type ApiKeyEntry,
  type ClientInfo,
  type Logger,
  type MemoryApiKeyStore,
  type OutboxRelay,
  type RevocationList,
  type UserViewer,
} from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import type { MembershipClient } from '../organizations/membership-client';
import { ApiKeyEntity } from './api-key.entity';

/** Live keys one user may hold: enough for every script and job, not a way to fill the table. */
export const MAX_API_KEYS_PER_USER = 25;
const NAME_MAX = 100;
/** `bk_` and the first characters of the random part: enough to tell a user's keys apart. */
const PREFIX_LENGTH = API_KEY_PREFIX.length + 6;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ApiKeyInput {
  name: string;
  capabilities: readonly string[];
  organizationId?: string | null;
  creditCeiling?: number | null;
  ceilingPeriod?: 'DAY' | 'MONTH' | null;
  expiresAt?: Date | null;
}

/** createApiKey's answer: the key itself, this once, and its owner for the tier's owner rule. */
export interface ApiKeyWithSecretModel {
  apiKey: ApiKeyEntity;
  key: string;
  userId: string;
}

/** The revoked keys' hashes, for the gateways' fast path after commit. */
export interface RevokedApiKeys {
  sha256s: string[];
}

/**
 * Personal API keys (README "API keys"): created by a verified user, shown once, stored as SHA-256
 * only, revoked by their user or with the account. Gateways learn of both from API_KEY_CREATED /
 * API_KEY_REVOKED broadcasts and, at once, from the fast paths written after commit.
 */
export class ApiKeyService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: MemoryApiKeyStore,
    private readonly revocations: RevocationList,
    private readonly memberships: Pick<MembershipClient, 'membershipOf'>,
    private readonly relay: OutboxRelay,
    private readonly logger: Logger,
  ) {}

  async create(
    viewer: UserViewer,
    input: ApiKeyInput,
    client: ClientInfo,
  ): Promise<ApiKeyWithSecretModel> {
    const checked = checkInput(input, new Date());
    const organizationId = checked.organizationId;
    if (organizationId !== null) {
      // A non-member learns nothing of the organization: the same NOT_FOUND as a missing one.
      if (!UUID.test(organizationId))
        throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
      const membership = await this.memberships.membershipOf(organizationId, viewer.userId);
      if (!membership) throw new AppError('NOT_FOUND', { message: 'Organization not found.' });
      // A key never used a second factor: an organization that requires one refuses keys, so
      // creating one for it would only make a key that cannot work.
      requireOrganizationMfa(
        { ...viewer, amr: [] },
        { organizationId, name: membership.organizationName, requireMfa: membership.requireMfa },
        'api_key:create',
      );
    }
    const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const row: ApiKeyEntity = {
      id: randomUUID(),
      userId: viewer.userId,
      name: checked.name,
      prefix: key.slice(0, PREFIX_LENGTH),
      sha256: sha256Hex(key),
      capabilities: checked.capabilities,
      organizationId,
      creditCeiling: checked.creditCeiling,
      ceilingPeriod: checked.ceilingPeriod,
      expiresAt: checked.expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: new Date(),
    };
    await this.dataSource.transaction(async (manager) => {
      // The user's row locked: two concurrent creations cannot both pass the count.
      await manager.query(
        `SELECT id FROM ${schemaOf(this.dataSource)}.users WHERE id = $1 FOR UPDATE`,
        [viewer.userId],
      );
      const live = await manager
        .createQueryBuilder(ApiKeyEntity, 'k')
        .where('k.user_id = :userId AND k.revoked_at IS NULL', { userId: viewer.userId })
        .getCount();
      if (live >= MAX_API_KEYS_PER_USER)
        throw new AppError('CONFLICT', {
          message: `A user may hold at most ${MAX_API_KEYS_PER_USER} API keys; revoke one first.`,
          extensions: { reason: 'API_KEY_LIMIT' },
        });
      await manager.insert(ApiKeyEntity, row);
      await enqueueEvent(manager, 'API_KEY_CREATED', {
        keyId: row.id,
        userId: row.userId,
        sha256: row.sha256,
        capabilities: row.capabilities,
        organizationId: row.organizationId,
        creditCeiling: row.creditCeiling,
        ceilingPeriod: row.ceilingPeriod,
        expiresAt: row.expiresAt?.toISOString() ?? null,
      });
      await recordAudit(manager, {
        actorId: viewer.userId,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: row.id,
        client,
        metadata: {
          name: row.name,
          capabilities: row.capabilities,
          organizationId: row.organizationId,
          creditCeiling: row.creditCeiling,
          ceilingPeriod: row.ceilingPeriod,
        },
      });
    });
    // Only VERIFIED users create keys, so the entry starts verified.
    await this.store.add(entryOf(row, true));
    this.relay.kick();
    return { apiKey: row, key, userId: row.userId };
  }

  /** The user's keys that are not revoked (expired ones too, so the user sees them), newest first. */
  list(userId: string): Promise<ApiKeyEntity[]> {
    return this.dataSource.getRepository(ApiKeyEntity).find({
      where: { userId, revokedAt: IsNull() },
      order: { createdAt: 'DESC' },
    });
  }

  /**
   * Revokes one of the user's keys; false when it was revoked already. Another user's key is
   * NOT_FOUND, like a missing one, so ids reveal nothing.
   */
  async revoke(viewer: UserViewer, id: string, client: ClientInfo): Promise<boolean> {
    if (!UUID.test(id)) throw new AppError('NOT_FOUND', { message: 'API key not found.' });
    const outcome = await this.dataSource.transaction(async (manager) => {
      const row = await manager.findOne(ApiKeyEntity, {
        where: { id, userId: viewer.userId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!row) throw new AppError('NOT_FOUND', { message: 'API key not found.' });
      if (row.revokedAt) return null;
      await manager.update(ApiKeyEntity, { id }, { revokedAt: new Date() });
      await enqueueEvent(manager, 'API_KEY_REVOKED', {
        keyId: id,
        userId: row.userId,
        sha256: row.sha256,
        reason: 'revoked_by_user',
      });
      await recordAudit(manager, {
        actorId: viewer.userId,
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: id,
        client,
        metadata: { name: row.name },
      });
      return { sha256s: [row.sha256] };
    });
    if (!outcome) return false;
    await this.afterRevocation(outcome);
    return true;
  }

  /**
   * Account deletion, in its transaction: every key of the user is revoked (API_KEY_REVOKED for
   * the live ones) and its row deleted; gateways only ever load live keys, so none comes back.
   */
  async revokeAllForUser(
    manager: EntityManager,
    userId: string,
    reason: string,
  ): Promise<RevokedApiKeys> {
    const [rows]: [{ id: string; sha256: string; revoked_at: Date | null }[], number] =
      await manager.query(
        `DELETE FROM ${schemaOf(this.dataSource)}.api_keys WHERE user_id = $1 RETURNING id, sha256, revoked_at`,
        [userId],
      );
    const live = rows.filter((row) => row.revoked_at === null);
    for (const row of live)
      await enqueueEvent(manager, 'API_KEY_REVOKED', {
        keyId: row.id,
        userId,
        sha256: row.sha256,
        reason,
      });
    return { sha256s: live.map((row) => row.sha256) };
  }

  /** After commit: this process's gateway and Redis refuse the keys at once; the bus tells the rest. */
  async afterRevocation(revoked: RevokedApiKeys): Promise<void> {
    if (revoked.sha256s.length === 0) return;
    this.relay.kick();
    await Promise.all([
      this.store.remove(revoked.sha256s),
      this.revocations.revokeServiceTokens(revoked.sha256s),
    ]).catch((error: unknown) => {
      this.logger.warn(
        { err: error },
        'API key revocation fast path failed; gateways learn it from the bus',
      );
    });
  }

  /**
   * The gateways' coalesced report of use (at most once a minute per key and gateway): one
   * UPDATE for the batch, never moving a time backwards.
   */
  async recordUse(keyIds: readonly string[], at: Date): Promise<number> {
    const ids = [...new Set(keyIds.filter((id) => UUID.test(id)))].slice(0, 1000);
    if (ids.length === 0) return 0;
    const [, count]: [unknown[], number] = await this.dataSource.query(
      `UPDATE ${schemaOf(this.dataSource)}.api_keys SET last_used_at = $2
        WHERE id = ANY($1::uuid[]) AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at < $2)`,
      [ids, at],
    );
    return count ?? 0;
  }

  /** Live, unexpired keys with their user's verification, for the gateways' credential state. */
  async live(manager: EntityManager): Promise<ApiKeyEntry[]> {
    const s = schemaOf(this.dataSource);
    const rows: {
      id: string;
      user_id: string;
      sha256: string;
      capabilities: string[];
      organization_id: string | null;
      credit_ceiling: number | null;
      ceiling_period: 'DAY' | 'MONTH' | null;
      expires_at: Date | null;
      email_verified_at: Date | null;
    }[] = await manager.query(
      `SELECT k.id, k.user_id, k.sha256, k.capabilities, k.organization_id, k.credit_ceiling,
              k.ceiling_period, k.expires_at, u.email_verified_at
         FROM ${s}.api_keys k JOIN ${s}.users u ON u.id = k.user_id
        WHERE k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())
        ORDER BY k.created_at`,
    );
    return rows.map((r) => ({
      id: r.id,
      userId: r.user_id,
      sha256: r.sha256,
      capabilities: r.capabilities,
      organizationId: r.organization_id,
      creditCeiling: r.credit_ceiling,
      ceilingPeriod: r.ceiling_period,
      expiresAt: r.expires_at ? new Date(r.expires_at).toISOString() : null,
      emailVerified: r.email_verified_at !== null,
    }));
  }
}

function entryOf(row: ApiKeyEntity, emailVerified: boolean): ApiKeyEntry {
  return {
    id: row.id,
    userId: row.userId,
    sha256: row.sha256,
    capabilities: [...row.capabilities],
    organizationId: row.organizationId,
    creditCeiling: row.creditCeiling,
    ceilingPeriod: row.ceilingPeriod,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    emailVerified,
  };
}

interface CheckedInput {
  name: string;
  capabilities: string[];
  organizationId: string | null;
  creditCeiling: number | null;
  ceilingPeriod: 'DAY' | 'MONTH' | null;
  expiresAt: Date | null;
}

/** Every problem of the input at once, per field (BAD_USER_INPUT with fieldErrors). */
export function checkInput(input: ApiKeyInput, now: Date): CheckedInput {
  const problems: Record<string, string> = {};
  const name = input.name.trim();
  if (name.length === 0 || name.length > NAME_MAX)
    problems.name = `Name the key in 1 to ${NAME_MAX} characters.`;
  const capabilities = [...new Set(input.capabilities)];
  const unknown = capabilities.filter((c) => !isApiKeyCapability(c));
  if (capabilities.length === 0 || unknown.length > 0)
    problems.capabilities = `Choose from ${API_KEY_CAPABILITIES.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}.`;
  const ceiling = input.creditCeiling ?? null;
  const period = input.ceilingPeriod ?? null;
  if (
    ceiling !== null &&
    (!Number.isSafeInteger(ceiling) || ceiling < 0 || ceiling > API_KEY_MAX_CEILING)
  )
    problems.creditCeiling = `A ceiling is a whole number of credits from 0 to ${API_KEY_MAX_CEILING}.`;
  else if ((ceiling === null) !== (period === null))
    problems[ceiling === null ? 'creditCeiling' : 'ceilingPeriod'] =
      'A ceiling needs its period (DAY or MONTH), and a period its ceiling.';
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt !== null && !(expiresAt.getTime() > now.getTime()))
    problems.expiresAt = 'The expiry must be in the future.';
  if (Object.keys(problems).length > 0) throw badInput(problems);
  return {
    name,
    capabilities,
    organizationId: input.organizationId ?? null,
    creditCeiling: ceiling,
    ceilingPeriod: period,
    expiresAt,
  };
}
