import { AppError, askInternalGateway, type ApiKeyGrant } from '@bastion/platform';

const HOLD = `mutation AiHold($u: ID!, $a: Int!, $k: String!, $e: Int, $o: ID, $key: ApiKeySpendInput) {
  holdCredits(userId: $u, amount: $a, idempotencyKey: $k, expiresInSeconds: $e, organizationId: $o, apiKey: $key) { id amount } }`;

/** The personal API key a generation is asked through, as the viewer's claims carry it. */
export type KeyContext = Pick<ApiKeyGrant, 'id' | 'creditCeiling' | 'ceilingPeriod'>;
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
   * Through an API key the hold also reserves against the key's ceiling (credits enforces it,
   * KEY_CEILING past it); the settlement and release need nothing more, the hold remembers it.
   */
  async hold(
    userId: string,
    amount: number,
    idempotencyKey: string,
    expiresInSeconds: number,
    organizationId: string | null,
    apiKey: KeyContext | null = null,
  ): Promise<string> {
    const data = await this.call<{ holdCredits: { id: string } }>(HOLD, {
      u: userId,
      a: amount,
      k: idempotencyKey,
      e: expiresInSeconds,
      o: organizationId,
      key: apiKey && {
        id: apiKey.id,
        creditCeiling: apiKey.creditCeiling,
        ceilingPeriod: apiKey.ceilingPeriod,
      },
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
      const { required, available, reason, ceiling, ceilingPeriod, resetsAt } = error.extensions;
      // A key's ceiling says which, and when it starts over; the balance's refusal is as it was.
      const key = reason === 'KEY_CEILING' ? { reason, ceiling, ceilingPeriod, resetsAt } : {};
      throw new AppError('INSUFFICIENT_CREDITS', {
        ...(reason === 'KEY_CEILING' ? { message: error.message } : {}),
        extensions: { required, available, ...key },
      });
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
