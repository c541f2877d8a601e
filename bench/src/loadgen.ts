import { createHmac, randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { ClaimsKeys, operationDigest } from '@bastion/platform';

/** What one load run sends; run.ts passes it as JSON in argv[2]. */
export interface LoadSpec {
  url: string;
  /** Request bodies, sent round-robin (each connection takes the next one). */
  bodies: string[];
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  /**
   * Sign fresh forwarded claims for every request, as the gateway does (subgraphs refuse a
   * replayed jti): INTERNAL_CLAIMS_SECRET (the subgraph's key is derived from it), the subgraph's
   * name, and the query the claims bind to.
   */
  claims?: { secret: string; audience: string; query: string };
  /** A fixed number of requests instead of `seconds`: every one is answered before the run ends. */
  amount?: number;
  /** Replaces `{{id}}` in a body with a fresh id per request (idempotency keys). */
  uniqueIds?: boolean;
}

export interface LoadResult {
  requests: number;
  ok: number;
  failed: number;
  seconds: number;
  perSecond: number;
  okPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstFailure?: string;
  /** Set by run.ts: the product process's CPU time (/proc) over the load, per request. */
  cpuUsPerRequest?: number;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** HS256 claims for an anonymous caller, built synchronously so the generator never waits on them. */
function claimsSigner(spec: NonNullable<LoadSpec['claims']>): () => string {
  const key = ClaimsKeys.fromMaster(spec.secret).keyFor(spec.audience).export();
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const op = operationDigest({ query: spec.query, operationName: null, variables: null });
  return () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = b64url(
      JSON.stringify({
        k: 'a',
        op,
        ip: '127.0.0.1',
        ua: 'bench',
        iss: 'bastion-gateway',
        aud: spec.audience,
        iat: now,
        exp: now + 30,
        jti: randomUUID(),
      }),
    );
    const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  };
}

/** Runs autocannon in this process (the bench pins it to its own core) and prints one JSON line. */
async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
  const sign = spec.claims ? claimsSigner(spec.claims) : undefined;
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstFailure: string | undefined;
  const headers = { 'content-type': 'application/json', ...spec.headers };
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    ...(spec.amount ? { amount: spec.amount } : { duration: spec.seconds }),
    method: 'POST',
    headers,
    requests: [
      {
        setupRequest: (request) => {
          let body = spec.bodies[next++ % spec.bodies.length];
          if (spec.uniqueIds) body = body.replaceAll('{{id}}', randomUUID());
          const h: Record<string, string> = { ...headers };
          if (sign) h['x-bastion-claims'] = sign();
          return { ...request, method: 'POST', body, headers: h };
        },
        onResponse: (status, body) => {
          if (status === 200 && !body.includes('"errors"')) ok += 1;
          else {
            failed += 1;
            firstFailure ??= `${status} ${body.slice(0, 300)}`;
          }
        },
      },
    ],
  });
  const requests = ok + failed;
  const seconds = result.duration;
  const out: LoadResult = {
    requests,
    ok,
    failed: failed + result.errors + result.timeouts,
    seconds,
    perSecond: requests / seconds,
    okPerSecond: ok / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    firstFailure,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
