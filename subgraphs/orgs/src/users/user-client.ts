import { AppError, askInternalGateway } from '@bastion/platform';

const USER_QUERY = `query OrgsInvitee($id: ID!) { user(id: $id) { email emailVerified } }`;
const MFA_QUERY = `query OrgsMembersMfa($ids: [ID!]!) { users(ids: $ids) { id mfaEnabled } }`;

/** The most ids auth's users(ids:) takes in one request (a members page is at most 100). */
export const USERS_PER_LOOKUP = 100;

export interface UserContact {
  email: string;
  emailVerified: boolean;
}

/**
 * Asks auth for a user's current address, through the gateway's internal listener with orgs' own
 * service token (users:read), the way auth asks orgs for memberships. Chosen over putting the
 * email into the forwarded claims: the access token carries no email (it would go stale at an
 * email change until the token expires), and accepting an invitation must see the address as
 * it is now, verified.
 */
export class UserClient {
  constructor(
    private readonly internalUrl: () => string,
    private readonly serviceToken: () => string | undefined,
  ) {}

  /** The user's address and whether it is verified; null for an unknown user. UPSTREAM_UNAVAILABLE when auth cannot answer. */
  async contact(userId: string): Promise<UserContact | null> {
    const data = await this.ask<{ user: UserContact | null }>(USER_QUERY, { id: userId });
    return data?.user ?? null;
  }

  /**
   * Whether each user has a confirmed second factor (auth's User.mfaEnabled), in one request for
   * up to USERS_PER_LOOKUP ids; unknown users are absent from the map.
   */
  async mfaEnabled(userIds: readonly string[]): Promise<Map<string, boolean>> {
    if (userIds.length === 0) return new Map();
    const data = await this.ask<{ users: ({ id: string; mfaEnabled: boolean } | null)[] }>(
      MFA_QUERY,
      { ids: userIds },
    );
    return new Map(
      (data?.users ?? [])
        .filter((user): user is { id: string; mfaEnabled: boolean } => user !== null)
        .map((user) => [user.id.toLowerCase(), user.mfaEnabled]),
    );
  }

  private async ask<T>(query: string, variables: Record<string, unknown>): Promise<T | undefined> {
    const body = await askInternalGateway<T>(
      {
        url: this.internalUrl,
        serviceToken: this.serviceToken,
        notConfigured: 'User lookups are not configured (ORGS_SERVICE_TOKEN).',
        unreachable: 'The accounts service did not answer.',
      },
      query,
      variables,
    );
    if (body.errors?.length)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'The accounts service refused the lookup.',
      });
    return body.data ?? undefined;
  }
}
