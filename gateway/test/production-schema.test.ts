import { getIntrospectionQuery } from 'graphql';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';

// What production refuses below an argon2 floor and without its secrets; nothing here registers users.
const PRODUCTION = {
  NODE_ENV: 'production',
  PASSWORD_PEPPER: 'pepper-for-production-mode-tests-0123456789',
  REFRESH_TOKEN_SECRET: 'refresh-secret-for-production-mode-tests-0123',
  MFA_ENCRYPTION_KEY: 'mfa-key-for-production-mode-tests-0123456789',
  WEBHOOKS_ENCRYPTION_KEY: 'webhooks-key-for-production-mode-tests-01234',
  ARGON2_MEMORY_KIB: '19456',
  ARGON2_TIME_COST: '2',
};
const SCHEMA = '{ __schema { queryType { name } } }';
const TYPE = '{ __type(name: "Query") { name } }';

describe('production: the public listener does not publish the schema', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform(PRODUCTION);
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('refuses introspection on the public listener while a normal query answers', async () => {
    for (const query of [SCHEMA, TYPE, getIntrospectionQuery()]) {
      const [refused, normal] = await Promise.all([
        platform.gql(query),
        platform.gql('{ aiModels { id } }'),
      ]);
      expect(normal.status).toBe(200);
      expect(refused.status).toBe(400);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'INTROSPECTION_DISABLED',
      });
      expect(JSON.stringify(refused.body)).not.toMatch(/ApolloServer|queryType/);
    }
  });

  it('admits no browser origin while CORS_ORIGINS is unset, not even a local dev server', async () => {
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173']) {
      const response = await fetch(platform.gateway.url, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
      await response.arrayBuffer();
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('still answers __typename', async () => {
    expect((await platform.gql('{ __typename }')).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('keeps introspection on the internal listener for service tokens', async () => {
    const response = await platform.internal(
      getIntrospectionQuery(),
      {},
      { token: platform.serviceTokens.ai },
    );
    expect(response.status).toBe(200);
    expect(
      (response.body.data as { __schema: { queryType: { name: string } } }).__schema.queryType.name,
    ).toBe('Query');
  });

  it('gives no field suggestions on the public listener', async () => {
    const response = await platform.gql('{ aiModel { id } }');
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].message).toMatch(/Cannot query field "aiModel"/);
    expect(response.body.errors?.[0].message).not.toMatch(/Did you mean|aiModels/);
  });

  it('ignores the query-plan headers', async () => {
    const headers = {
      'apollo-query-plan-experimental': 'true',
      'apollo-query-plan-experimental-format': 'internal',
    };
    for (const response of [
      await platform.gql('{ aiModels { id } }', {}, { headers }),
      await platform.internal(
        '{ aiModels { id } }',
        {},
        { headers, token: platform.serviceTokens.ai },
      ),
    ]) {
      expect(response.status).toBe(200);
      expect(response.body).not.toHaveProperty('extensions');
    }
  });
});

describe('production with INTROSPECTION=true', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ ...PRODUCTION, INTROSPECTION: 'true' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('answers the standard introspection query on the public listener', async () => {
    const response = await platform.gql(getIntrospectionQuery());
    expect(response.status).toBe(200);
    expect(
      (response.body.data as { __schema: { queryType: { name: string } } }).__schema.queryType.name,
    ).toBe('Query');
  });
});
