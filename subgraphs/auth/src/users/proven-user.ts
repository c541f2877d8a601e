import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { enqueueEvent, type ClientInfo } from '@bastion/platform';
import { DISPLAY_NAME_MAX } from '../accounts/account.service';
import { recordAudit } from '../audit/audit';
import { UserEntity } from './user.entity';

/**
 * Creates, inside the caller's transaction, an account for an address an identity provider has
 * just proven (social sign-in, enterprise SSO): no password, the email verified now, a display
 * name from the provider cut to the profile's limit; with its USER_CREATED event and its audit
 * entry (`metadata` says which provider).
 */
export async function createProvenUser(
  manager: EntityManager,
  proven: {
    email: string;
    name: string | null;
    client: ClientInfo;
    metadata: Record<string, unknown>;
  },
  now = new Date(),
): Promise<UserEntity> {
  const displayName = proven.name?.trim().slice(0, DISPLAY_NAME_MAX) || null;
  const user = manager.create(UserEntity, {
    id: randomUUID(),
    email: proven.email,
    passwordHash: null,
    displayName,
    emailVerifiedAt: now,
    createdAt: now,
    updatedAt: now,
  });
  await manager.insert(UserEntity, user);
  await enqueueEvent(manager, 'USER_CREATED', {
    userId: user.id,
    email: proven.email,
    displayName,
  });
  await recordAudit(manager, {
    actorId: user.id,
    action: 'user.registered',
    targetType: 'user',
    targetId: user.id,
    client: proven.client,
    metadata: proven.metadata,
  });
  return user;
}
