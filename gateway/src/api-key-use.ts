import type { KeyObject } from 'node:crypto';
import { UNKNOWN_CLIENT, signForwardedClaims, type Logger } from '@bastion/platform';

/** A key's last use is reported at most this often (per key, per gateway). */
export const KEY_USE_INTERVAL_MS = 60_000;
/** Reported keys remembered before the old ones are swept. */
const MAX_REMEMBERED = 10_000;

/**
 * Coalesces the requests keys authenticate into last-use reports to auth: a key's first use in
 * each interval is reported (batched with the other keys seen in the same tick), the rest only
 * counted, so a busy key costs one write a minute, not one per request. A failed report is
 * dropped: the key's next use after the interval reports again.
 */
export class ApiKeyUse {
  private readonly reported = new Map<string, number>();
  private pending = new Set<string>();
  private scheduled = false;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly report: (keyIds: string[]) => Promise<void>,
    private readonly logger: Logger,
    private readonly intervalMs = KEY_USE_INTERVAL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  note(keyId: string): void {
    const now = this.now();
    const last = this.reported.get(keyId);
    if (last !== undefined && now - last < this.intervalMs) return;
    if (this.reported.size >= MAX_REMEMBERED) this.sweep(now);
    this.reported.set(keyId, now);
    this.pending.add(keyId);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.inFlight = this.flush();
    });
  }

  /** Resolves when the reports sent so far are answered (tests, shutdown). */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  private async flush(): Promise<void> {
    const keyIds = [...this.pending];
    this.pending = new Set();
    if (keyIds.length === 0) return;
    try {
      await this.report(keyIds);
    } catch (error) {
      this.logger.warn({ err: error, keys: keyIds.length }, 'could not record API key use');
    }
  }

  private sweep(now: number): void {
    for (const [keyId, at] of this.reported)
      if (now - at >= this.intervalMs) this.reported.delete(keyId);
  }
}

const QUERY = 'mutation GatewayApiKeyUse($keyIds: [ID!]!) { recordApiKeyUse(keyIds: $keyIds) }';

/** Sends a batch straight to auth as the gateway itself (as the revocation state is read). */
export async function reportApiKeyUse(
  authUrl: string,
  claimsKey: KeyObject,
  keyIds: string[],
  timeoutMs = 5000,
): Promise<void> {
  const operation = { query: QUERY, operationName: 'GatewayApiKeyUse', variables: { keyIds } };
  const claims = await signForwardedClaims(
    { kind: 'service', name: 'gateway', scopes: ['tokens:admin'] },
    UNKNOWN_CLIENT,
    'auth',
    operation,
    claimsKey,
  );
  const response = await fetch(authUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-bastion-claims': claims },
    body: JSON.stringify(operation),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await response.json()) as { errors?: { message: string }[] };
  if (!response.ok || body.errors?.length)
    throw new Error(
      `auth refused the API key use: ${body.errors?.map((e) => e.message).join(', ') ?? `HTTP ${response.status}`}`,
    );
}
