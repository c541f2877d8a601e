/** What one request of a load run came back with. */
export interface Outcome {
  email: string;
  /** The HTTP status; absent when the request failed on the socket. */
  status?: number;
  registered: boolean;
  code?: string;
  socketError?: string;
}

const REGISTER =
  'mutation ($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { user { id } } }';

/**
 * `concurrency` clients registering new users back to back, each sending its next request only
 * after the last one's response. `stop()` sends no more and waits for those in flight.
 */
export function registrationLoad(
  url: string,
  options: { concurrency: number; password: string; prefix: string },
) {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const worker = async (index: number) => {
    for (let i = 0; !stopped; i += 1) {
      const email = `${options.prefix}-${index}-${i}@example.com`;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: REGISTER, variables: { e: email, p: options.password } }),
        });
        const body = (await response.json()) as {
          data?: { register?: unknown };
          errors?: { extensions?: { code?: string } }[];
        };
        outcomes.push({
          email,
          status: response.status,
          registered: Boolean(body.data?.register),
          code: body.errors?.[0]?.extensions?.code,
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        outcomes.push({
          email,
          registered: false,
          socketError: cause?.code ?? cause?.message ?? String(error),
        });
      }
    }
  };
  const workers = Array.from({ length: options.concurrency }, (_, index) => worker(index));
  return {
    outcomes,
    async stop(): Promise<void> {
      stopped = true;
      await Promise.all(workers);
    },
  };
}
