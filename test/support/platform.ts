import { Client } from 'pg';
import {
  DEPLOYMENT_SCHEMAS,
  NatsBus,
  createLogger,
  quotedSchema,
  signForwardedClaims,
  type ClientInfo,
  type Viewer,
} from '@bastion/platform';
import { startPlatform, type PlatformOptions, type RunningPlatform } from '@bastion/all-in-one';
import { testEnv, uniqueSuffix } from './env';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: {
    data?: T | null;
    errors?: {
      message: string;
      path?: (string | number)[];
      extensions?: Record<string, unknown>;
    }[];
  };
}

export interface RequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/** POSTs one GraphQL operation and returns status, headers and the parsed body. */
export async function postGraphQL<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  options: RequestOptions = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      // The spec's current media type: request errors come back as 4xx (application/json alone gets 200).
      accept: 'application/graphql-response+json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) };
}

export interface TestPlatform extends RunningPlatform {
  suffix: string;
  /** Through the public gateway listener. */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<T>>;
  /** Through the internal gateway listener. */
  internal<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: RequestOptions,
  ): Promise<GraphQLResponse<T>>;
  /** Straight to a subgraph, with claims signed for `viewer` as the gateway would. */
  subgraph<T = Record<string, unknown>>(
    name: string,
    viewer: Viewer,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResponse<T>>;
}

const NO_CLIENT: ClientInfo = { ip: '127.0.0.1', userAgent: 'jest' };

/** The whole platform on free ports, isolated in schemas, a NATS stream and Redis keys of its own. */
export async function startTestPlatform(
  env: Record<string, string | undefined> = {},
  options: PlatformOptions = {},
): Promise<TestPlatform> {
  const suffix = uniqueSuffix();
  const platform = await startPlatform(testEnv(env), {
    ephemeralPorts: true,
    schemaSuffix: suffix,
    natsStream: `BASTION_${suffix.toUpperCase()}`,
    keyPrefix: `bastion:${suffix}:`,
    ...options,
  });
  const handles = withTestHandles(platform, suffix);
  return {
    ...handles,
    async stop() {
      const { databaseUrl, bus } = platform.deps;
      if (bus instanceof NatsBus) await bus.destroyStream();
      await platform.stop();
      await dropSchemas(databaseUrl, suffix);
    },
  };
}

/** A running platform with the helpers tests call it through; `stop` stops it and keeps its data. */
export function withTestHandles(platform: RunningPlatform, suffix: string): TestPlatform {
  return {
    ...platform,
    suffix,
    gql: (query, variables, opts) => postGraphQL(platform.gateway.url, query, variables, opts),
    internal: (query, variables, opts) =>
      postGraphQL(platform.gateway.internalUrl, query, variables, opts),
    subgraph: async (name, viewer, query, variables = {}) => {
      const claims = await signForwardedClaims(
        viewer,
        NO_CLIENT,
        name,
        { query, operationName: null, variables },
        platform.deps.claimsKeys.keyFor(name),
      );
      return postGraphQL(platform.subgraphs[name]!.url, query, variables, {
        headers: { 'x-bastion-claims': claims },
      });
    },
  };
}

/** Drops every schema of the deployment with this suffix (the test's own data). */
export async function dropSchemas(databaseUrl: string, suffix: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (const service of DEPLOYMENT_SCHEMAS) {
      await client.query(`DROP SCHEMA IF EXISTS ${quotedSchema(service, suffix)} CASCADE`);
    }
  } finally {
    await client.end();
  }
}

/**
 * Removes what processes started by a test left on the shared services: its schemas (suffix) and,
 * on NATS, its stream.
 */
export async function dropRunState(
  env: { DATABASE_URL?: string; NATS_STREAM?: string },
  suffix: string,
): Promise<void> {
  if (env.DATABASE_URL) await dropSchemas(env.DATABASE_URL, suffix);
  if (process.env.NATS_URL && env.NATS_STREAM) {
    const bus = await NatsBus.connect({
      url: process.env.NATS_URL,
      stream: env.NATS_STREAM,
      logger: createLogger({ name: 'test', level: 'silent' }),
    });
    await bus.destroyStream();
    await bus.close();
  }
}
