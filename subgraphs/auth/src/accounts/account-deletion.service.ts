import type { DataSource } from 'typeorm';
import { enqueueEvent, schemaOf, type ClientInfo, type UserViewer } from '@bastion/platform';
import { recordAudit } from '../audit/audit';
import { EmailTokenEntity } from '../email/email-token.entity';
import type { SessionService } from '../sessions/session.service';
import { UserEntity } from '../users/user.entity';
import type { ApiKeyService } from '../api-keys/api-key.service';
import type { Reauthentication } from './reauthentication';

/**
 * Deletes an account on its owner's request. Auth forgets the person (the user row; sessions,
 * refresh tokens and email tokens go with it) and tells the other services with USER_DELETED
 * in the same transaction, so they forget too or the deletion does not happen at all.
 */
export class AccountDeletionService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly reauth: Reauthentication,
    private readonly sessions: SessionService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  async delete(viewer: UserViewer, password: string, client: ClientInfo): Promise<boolean> {
    const { userId } = viewer;
    await this.reauth.confirm(viewer, password);
    const revoked = await this.dataSource.transaction(async (manager) => {
      // Revoked first, so the gateway learns of every session before its row disappears.
      const result = await this.sessions.revokeAllForUser(manager, userId, 'account deleted');
      const keys = await this.apiKeys.revokeAllForUser(manager, userId, 'account_deleted');
      await manager.delete(EmailTokenEntity, { userId });
      await manager.delete(UserEntity, { id: userId });
      // Events already delivered keep no copy of the person (email, name) in auth's outbox;
      // pending ones stay, or other services would never hear of them.
      await manager.query(
        `DELETE FROM ${schemaOf(this.dataSource)}.outbox WHERE published_at IS NOT NULL AND (data->>'userId' = $1 OR data->>'actorId' = $1)`,
        [userId],
      );
      await enqueueEvent(manager, 'USER_DELETED', { userId });
      await recordAudit(manager, {
        actorId: userId,
        action: 'user.deleted',
        targetType: 'user',
        targetId: userId,
        client,
      });
      return { result, keys };
    });
    await this.sessions.afterRevocation(revoked.result);
    await this.apiKeys.afterRevocation(revoked.keys);
    return true;
  }
}
