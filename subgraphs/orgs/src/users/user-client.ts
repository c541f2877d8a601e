import { AppError } from '@bastion/platform';

const USER_QUERY = `query OrgsInvitee($id: ID!) { user(id: $id) { email emailVerified } }`;

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
    const token = this.serviceToken();
    if (!token)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'User lookups are not configured (ORGS_SERVICE_TOKEN).',
      });
    let body: { data?: { user: UserContact | null }; errors?: unknown[] };
    try {
      const response = await fetch(this.internalUrl(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-service-token': token },
        body: JSON.stringify({ query: USER_QUERY, variables: { id: userId } }),
        signal: AbortSignal.timeout(5000),
      });
      body = (await response.json()) as typeof body;
    } catch (error) {
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'The accounts service did not answer.',
        cause: error,
      });
    }
    if (body.errors?.length)
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'The accounts service refused the lookup.',
      });
    return body.data?.user ?? null;
  }
}
