import { AppError, askInternalGateway } from '@bastion/platform';

const HOLD = `mutation AiHold($u: ID!, $a: Int!, $k: String!, $e: Int, $o: ID) {
  holdCredits(userId: $u, amount: $a, idempotencyKey: $k, expiresInSeconds: $e, organizationId: $o) { id amount } }`;
const SETTLE =
  'mutation AiSettle($h: ID!, $a: Int!) { settleHold(holdId: $h, amount: $a) { amount } }';
const RELEASE = 'mutation AiRelease($h: ID!) { releaseHold(holdId: $h) }';

/** Credits answered with an error code (as opposed to not answering): retrying will not help. */
export class CreditsRefusal extends Error {
  constructor(readonly code: string) {
    super(`credits: ${code}`);
    this.name = 'CreditsRefusal';
  }
}

/** Whether credits refused (CONFLICT, NOT_FOUND, …) rather than failed to answer. */
export function refusalOf(error: unknown): CreditsRefusal | undefined {
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof CreditsRefusal ? cause : undefined;
}

/**
 * Holds and charges credits through the gateway's internal listener with the ai service's own
 * token (credits:write): ai never reads or writes another service's tables.
 */
export class CreditsClient {
  constructor(
    private readonly internalUrl: () => string,
    private readonly serviceToken: () => string | undefined,
  ) {}

  /**
   * Reserves `amount`; INSUFFICIENT_CREDITS (with required/available) passes through as it is.
   * `organizationId`, the caller's active organization, stays with the hold: the CREDITS_LOW its
   * settlement may cause names it (credits knows no organization of its own).
   */
  async hold(
    userId: string,
    amount: number,
    idempotencyKey: string,
    expiresInSeconds: number,
    organizationId: string | null,
  ): Promise<string> {
    const data = await this.call<{ holdCredits: { id: string } }>(HOLD, {
      u: userId,
      a: amount,
      k: idempotencyKey,
      e: expiresInSeconds,
      o: organizationId,
    });
    return data.holdCredits.id;
  }

  /**
   * Charges the real cost (credits caps it at the held amount); returns what was charged. Safe to
   * repeat: settling a settled hold with the same amount answers the same charge.
   */
  async settle(holdId: string, amount: number): Promise<number> {
    const data = await this.call<{ settleHold: { amount: number } }>(SETTLE, {
      h: holdId,
      a: amount,
    });
    return -data.settleHold.amount;
  }

  async release(holdId: string): Promise<void> {
    await this.call(RELEASE, { h: holdId });
  }

  private async call<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const body = await askInternalGateway<T>(
      {
        url: this.internalUrl,
        serviceToken: this.serviceToken,
        notConfigured: 'Credits are not configured for the ai service (AI_SERVICE_TOKEN).',
        unreachable: 'The credits service did not answer.',
        timeoutMs: 10_000,
      },
      query,
      variables,
    );
    const error = body.errors?.[0];
    if (error?.extensions?.code === 'INSUFFICIENT_CREDITS') {
      const { required, available } = error.extensions;
      throw new AppError('INSUFFICIENT_CREDITS', { extensions: { required, available } });
    }
    if (error || !body.data) {
      throw new AppError('UPSTREAM_UNAVAILABLE', {
        message: 'The credits service refused the request.',
        cause: error?.extensions?.code
          ? new CreditsRefusal(String(error.extensions.code))
          : new Error('credits: no data'),
      });
    }
    return body.data;
  }
}
