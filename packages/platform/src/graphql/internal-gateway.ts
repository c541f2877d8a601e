import { AppError } from '../errors/app-error';

/** What a GraphQL server answered: data and/or errors, as the response's JSON body holds them. */
export interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: { message?: string; extensions?: Record<string, unknown> }[];
}

/** Where and as whom one service asks another through the gateway's internal listener. */
export interface InternalGatewayTarget {
  url: () => string;
  /** The asking service's own token; unset means the lookup is not configured. */
  serviceToken: () => string | undefined;
  /** UPSTREAM_UNAVAILABLE's message when no service token is set (name the setting). */
  notConfigured: string;
  /** UPSTREAM_UNAVAILABLE's message when the gateway does not answer. */
  unreachable: string;
  timeoutMs?: number;
}

/**
 * POSTs one operation to the gateway's internal listener with the service token
 * (`x-service-token`) and returns its answer for the caller to read: each caller decides what an
 * error in it means. UPSTREAM_UNAVAILABLE when no token is configured or no answer came (network
 * error, timeout, a body that is not JSON).
 */
export async function askInternalGateway<T>(
  target: InternalGatewayTarget,
  query: string,
  variables: Record<string, unknown>,
): Promise<GraphQLAnswer<T>> {
  const token = target.serviceToken();
  if (!token) throw new AppError('UPSTREAM_UNAVAILABLE', { message: target.notConfigured });
  try {
    const response = await fetch(target.url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-service-token': token },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(target.timeoutMs ?? 5000),
    });
    return (await response.json()) as GraphQLAnswer<T>;
  } catch (error) {
    throw new AppError('UPSTREAM_UNAVAILABLE', { message: target.unreachable, cause: error });
  }
}
