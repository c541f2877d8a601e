import { getIntrospectionQuery } from 'graphql';
import { postGraphQL, registerUser, startTestPlatform, type TestPlatform } from '@bastion/testing';

const MAX_QUERY_COST = 1000; // the gateway's default
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

// The reported attack: 10 operations in one batch, each with 50 aliased __schema selections.
const SELECTION = 'types { name kind fields { name type { name } } }';
const OPERATION = `{ ${Array.from({ length: 50 }, (_, i) => `s${i}: __schema { ${SELECTION} }`).join(' ')} }`;
const BATCH = Array.from({ length: 10 }, () => ({ query: OPERATION }));

/**
 * The expected cost of one such operation, by the rule docs/security.md "Operation limits" states, from what
 * the listener really serves (graphql-js answering the standard introspection query): per alias
 * __schema 1 + types T x (1 + fields F/T x (field 1 + type 1)) = 1 + T + 2F objects, one point
 * per 10 rounded up.
 */
function expectedCost(schema: { types: { fields: unknown[] | null }[] }): number {
  const types = schema.types.length;
  const fields = schema.types.reduce((n, t) => n + (t.fields?.length ?? 0), 0);
  return 50 * Math.ceil((1 + types + 2 * fields) / 10);
}

async function postBatch(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE, ...headers },
    body: JSON.stringify(BATCH),
  });
  return {
    status: response.status,
    authenticate: response.headers.get('www-authenticate'),
    body: JSON.parse(await response.text()) as {
      errors?: { message: string; extensions?: Record<string, unknown> }[];
    },
  };
}

describe('introspection is costed, and the internal listener needs a service token', () => {
  let platform: TestPlatform;
  let service: Record<string, string>;

  beforeAll(async () => {
    // Batching on, whatever the default: the attack is a batch.
    platform = await startTestPlatform({ MAX_BATCH_OPERATIONS: '10' });
    service = { 'x-service-token': platform.devServiceToken! };
  });
  afterAll(() => platform.stop());

  type Introspection = { __schema: { types: { fields: unknown[] | null }[] } };

  it('refuses 10 x 50 aliased __schema on the public listener by cost', async () => {
    // The reported request: about 34 KB.
    expect(JSON.stringify(BATCH).length).toBeGreaterThan(30_000);
    const standard = await platform.gql<Introspection>(getIntrospectionQuery());
    expect(standard.status).toBe(200);
    const cost = expectedCost(standard.body.data!.__schema);
    expect(cost).toBeGreaterThan(MAX_QUERY_COST);
    const refused = await postBatch(platform.gateway.url);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors![0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_COST',
      cost,
      maxCost: MAX_QUERY_COST,
    });
  });

  it('refuses it on the internal listener by cost, with a service token', async () => {
    const standard = await platform.internal<Introspection>(
      getIntrospectionQuery(),
      {},
      {
        headers: service,
      },
    );
    expect(standard.status).toBe(200);
    const cost = expectedCost(standard.body.data!.__schema);
    const refused = await postBatch(platform.gateway.internalUrl, service);
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0].extensions).toEqual({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_COST',
      cost,
      maxCost: MAX_QUERY_COST,
    });
  });

  it('refuses anonymous callers and users on the internal listener, introspection included', async () => {
    const user = await registerUser(platform, { verified: true });
    const anonymousBatch = await postBatch(platform.gateway.internalUrl);
    expect(anonymousBatch.status).toBe(401);
    expect(anonymousBatch.authenticate).toBe('Bearer');
    expect(anonymousBatch.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    for (const options of [{}, { token: user.accessToken }]) {
      for (const query of [
        '{ __schema { queryType { name } } }',
        '{ __typename }',
        '{ aiModels { id } }',
      ]) {
        const response = await platform.internal(query, {}, options);
        expect(response.status).toBe(401);
        expect(response.body.errors).toHaveLength(1);
        expect(response.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
        expect(response.body).not.toHaveProperty('data');
      }
    }
    // The same user token on the public listener is fine.
    const me = await platform.gql<{ me: { id: string } }>(
      '{ me { id } }',
      {},
      {
        token: user.accessToken,
      },
    );
    expect(me.body.data?.me.id).toBe(user.id);
  });

  it("keeps the explorer's introspection working on the internal listener with x-service-token", async () => {
    // GraphiQL's page itself needs no credential; its requests carry the Headers tab's.
    const page = await fetch(platform.gateway.internalUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    await page.arrayBuffer();
    const response = await postGraphQL<{ __schema: { queryType: { name: string } } }>(
      platform.gateway.internalUrl,
      getIntrospectionQuery({ inputValueDeprecation: true, specifiedByUrl: true }),
      {},
      { headers: service },
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data?.__schema.queryType.name).toBe('Query');
  });
});
