import { parse, visit } from 'graphql';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';
import { limitWork } from '../src/query-limits';

type Body = {
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  data?: unknown;
  extensions?: Record<string, unknown>;
};

// Request errors are 4xx for clients accepting the spec's media type (application/json alone gets 200).
const GRAPHQL_RESPONSE = 'application/graphql-response+json';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: GRAPHQL_RESPONSE, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: JSON.parse(await response.text()) as Body & Body[] };
}

/** Fragments that each spread the next twice: `levels` of them expand to 2^levels copies of `field`. */
function doublingChain(levels: number, field: string): string {
  const fragments = Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Query { ${field} ...F${i + 1} ...F${i + 1} }`,
  );
  return `query Doubling { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { ${field} }`;
}

function astNodes(document: string): number {
  let count = 0;
  visit(parse(document), {
    enter: () => {
      count += 1;
    },
  });
  return count;
}

const NORMAL = { query: '{ aiModels { id } }' };

describe('operation limits: every refusal is one coded error, before planning, while others are served', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  /** Sends `body` and a normal query at once; the normal one must answer with data. */
  async function refusedWhileServing(body: unknown, reason: string) {
    const [refused, normal] = await Promise.all([
      post(platform.gateway.url, body),
      post(platform.gateway.url, NORMAL),
    ]);
    expect(normal.status).toBe(200);
    expect((normal.body.data as { aiModels: unknown[] }).aiModels.length).toBeGreaterThan(0);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    return refused;
  }

  it('a fragment chain doubling over 30 levels is refused after work linear in the document, not in 2^30', async () => {
    const document = doublingChain(30, 'a: __typename');
    const before = limitWork.nodesVisited;
    const refused = await refusedWhileServing({ query: document }, 'MAX_ALIASES');
    const visited = limitWork.nodesVisited - before;
    // Each selection of the document once (91 here), plus the concurrent normal query's two.
    expect(visited).toBeGreaterThan(0);
    expect(visited).toBeLessThan(10 * astNodes(document));
    expect(refused.body.errors?.[0].message).toMatch(/aliases/);
  });

  it('the same chain without aliases is checked in linear work too and cannot stall the gateway', async () => {
    const document = doublingChain(30, '__typename');
    const before = limitWork.nodesVisited;
    const [response, normal] = await Promise.all([
      post(platform.gateway.url, { query: document }),
      post(platform.gateway.url, NORMAL),
    ]);
    expect(limitWork.nodesVisited - before).toBeLessThan(10 * astNodes(document));
    expect(normal.status).toBe(200);
    // No alias, `__typename` adds no depth and costs nothing (docs/security.md "Operation limits"), and the
    // document is far under the token and character limits: it runs, and the repeated spreads
    // merge into one field.
    expect(response).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
  });

  it('a nested depth over MAX_QUERY_DEPTH is refused as MAX_DEPTH, through fragments too', async () => {
    let nested = 'id';
    for (let i = 0; i < 7; i += 1) nested = `members { organization { ${nested} } }`;
    await refusedWhileServing(
      { query: `{ myOrganizations { ...Deep } } fragment Deep on Organization { ${nested} }` },
      'MAX_DEPTH',
    );
  });

  it('a batch of 1,000 operations is refused as MAX_BATCH; 10 are answered', async () => {
    await refusedWhileServing(
      Array.from({ length: 1000 }, () => ({ query: '{ __typename }' })),
      'MAX_BATCH',
    );
    const ten = await post(
      platform.gateway.url,
      Array.from({ length: 10 }, () => NORMAL),
    );
    expect(ten.status).toBe(200);
    expect(ten.body).toHaveLength(10);
    for (const result of ten.body)
      expect((result.data as { aiModels: unknown[] }).aiModels.length).toBeGreaterThan(0);
  });

  it('each operation of a batch passes every limit', async () => {
    await refusedWhileServing(
      [NORMAL, { query: doublingChain(12, 'a: __typename') }],
      'MAX_ALIASES',
    );
  });

  it('200 @skip on one field is refused once, as MAX_DIRECTIVES', async () => {
    const flood = Array.from({ length: 200 }, () => '@skip(if: false)').join(' ');
    await refusedWhileServing({ query: `{ aiModels ${flood} { id } }` }, 'MAX_DIRECTIVES');
  });

  it('directives multiplied through fragments are counted per operation', async () => {
    await refusedWhileServing(
      { query: doublingChain(8, '__typename @include(if: true)') },
      'MAX_DIRECTIVES',
    );
  });

  it('a 100,000-character document is refused as MAX_CHARACTERS', async () => {
    await refusedWhileServing(
      { query: `{ aiModels { id } } # ${'x'.repeat(100_000)}` },
      'MAX_CHARACTERS',
    );
  });

  it('a token flood under the character limit is refused as MAX_TOKENS, not a server error', async () => {
    const query = `{ aiModels { ${'id '.repeat(2_500)} } }`;
    expect(query.length).toBeLessThan(10_000);
    await refusedWhileServing({ query }, 'MAX_TOKENS');
  });

  it('limits hold for GET requests too', async () => {
    const flood = Array.from({ length: 20 }, () => '@skip(if: false)').join(' ');
    const url = `${platform.gateway.url}?query=${encodeURIComponent(`{ aiModels ${flood} { id } }`)}`;
    const response = await fetch(url, {
      headers: { 'apollo-require-preflight': 'true', accept: GRAPHQL_RESPONSE },
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Body).errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_DIRECTIVES',
    });
  });

  it('limits hold on the internal listener', async () => {
    const response = await post(
      platform.gateway.internalUrl,
      { query: doublingChain(30, 'a: __typename') },
      { 'x-service-token': platform.devServiceToken! },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_ALIASES',
    });
  });

  it('ignores the query-plan headers outside production', async () => {
    for (const listener of [platform.gateway.url, platform.gateway.internalUrl]) {
      const response = await post(listener, NORMAL, {
        'apollo-query-plan-experimental': 'true',
        'apollo-query-plan-experimental-format': 'internal',
        ...(listener === platform.gateway.internalUrl
          ? { 'x-service-token': platform.devServiceToken! }
          : {}),
      });
      expect(response.status).toBe(200);
      expect(JSON.stringify(response.body)).not.toMatch(/queryPlan|Fetch\(service/i);
    }
  });

  it('suggests field names outside production', async () => {
    const response = await post(platform.gateway.url, { query: '{ aiModel { id } }' });
    expect(response.body.errors?.[0].message).toMatch(/Did you mean/);
  });
});

describe('MAX_BATCH_OPERATIONS=0 turns batching off', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform({ MAX_BATCH_OPERATIONS: '0' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('refuses any array, even of one, and answers single operations', async () => {
    const batch = await post(platform.gateway.url, [NORMAL]);
    expect(batch.status).toBe(400);
    expect(batch.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_BATCH',
    });
    expect((await post(platform.gateway.url, NORMAL)).status).toBe(200);
  });
});
