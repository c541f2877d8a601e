import { createHash } from 'node:crypto';
import { parse, visit } from 'graphql';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { limitWork } from '../src/query-limits';

const NORMAL = '{ aiModels { id } }';
const MAX_QUERY_COST = 1000; // the gateway's default

function astNodes(document: string): number {
  let count = 0;
  visit(parse(document), {
    enter: () => {
      count += 1;
    },
  });
  return count;
}

describe('estimated query cost at the gateway (@cost / @listSize in the SDL)', () => {
  let platform: TestPlatform;
  let user: TestUser;

  beforeAll(async () => {
    platform = await startTestPlatform();
    user = await registerUser(platform);
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  /** Sends `query` and a normal query at once: the first must be refused with `reason`, the other answered. */
  async function refusedWhileServing(
    query: string,
    reason: string,
    variables: Record<string, unknown> = {},
    token = user.accessToken,
  ) {
    const [refused, normal] = await Promise.all([
      platform.gql(query, variables, { token }),
      platform.gql<{ aiModels: unknown[] }>(NORMAL),
    ]);
    expect(normal.status).toBe(200);
    expect(normal.body.data?.aiModels.length).toBeGreaterThan(0);
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason });
    return refused.body.errors![0].extensions!;
  }

  it('refuses nested lists over annotated fields with the cost computed from the annotations', async () => {
    const transactions = (alias: string) =>
      `${alias}: transactions(first: 100) { edges { node { id } } }`;
    const query = `{ me { credits { ${['t1', 't2', 't3', 't4', 't5'].map(transactions).join(' ')} } } sessions(first: 100) { id } }`;
    // me 1 + credits 1 (objects) + 5 x transactions (1 + 100 edges x (Edge 1 + node 1)) + sessions 100 x Session 1
    const expected = 1 + 1 + 5 * (1 + 100 * (1 + 1)) + 100 * 1;
    expect(expected).toBe(1107);
    expect(await refusedWhileServing(query, 'MAX_COST')).toMatchObject({
      cost: expected,
      maxCost: MAX_QUERY_COST,
    });
  });

  it('answers the same shape at a cost under the limit', async () => {
    // me 1 + credits 1 + transactions (1 + 20 (default first) x (1 + 1)) + sessions 20 (default first) x 1 = 63
    const response = await platform.gql(
      '{ me { credits { transactions { edges { node { id } } } } } sessions { id } }',
      {},
      { token: user.accessToken },
    );
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
  });

  it('refuses the organizations fan-out by cost (its lists are sized by default until orgs annotates them)', async () => {
    const fanOut =
      '{ myOrganizations { members { user { memberships { organization { members { user { memberships { organization { id } } } } } } } } } }';
    const refusal = await refusedWhileServing(fanOut, 'MAX_COST');
    expect(refusal.cost).toBeGreaterThan(MAX_QUERY_COST);
  });

  it('costs a fragment chain doubling over 30 levels without expanding it', async () => {
    const levels = 30;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Query { aiModels { id } ...F${i + 1} ...F${i + 1} }`,
    );
    const document = `query Doubling { ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { aiModels { id } }`;
    const before = limitWork.nodesVisited;
    const refusal = await refusedWhileServing(document, 'MAX_COST');
    // 10 x (2^31 - 1) aiModels items: the count saturates at 10^9 instead of growing without bound.
    expect(refusal.cost).toBe(1_000_000_000);
    // Each written selection once (4 per fragment, 2 in the last, 1 in the operation), plus the
    // normal query's 2 unless an earlier test's check of it is remembered (and room for a
    // background request's few).
    const visited = limitWork.nodesVisited - before;
    expect(visited).toBeGreaterThanOrEqual(4 * levels + 2 + 1);
    expect(visited).toBeLessThan(Math.min(4 * levels + 2 + 1 + 2 + 20, astNodes(document)));
  });

  it('refuses first above 100 as BAD_USER_INPUT, at the gateway and in the subgraph alike', async () => {
    const extensions = await refusedWhileServing(
      '{ me { credits { transactions(first: 1000) { edges { cursor } } } } }',
      'MAX_PAGE_SIZE',
    );
    expect(extensions.fieldErrors).toEqual({ first: 'Use a number from 1 to 100.' });
    await refusedWhileServing('query ($n: Int) { sessions(first: $n) { id } }', 'MAX_PAGE_SIZE', {
      n: 1000,
    });
    const direct = await platform.subgraph(
      'credits',
      { kind: 'service', name: 'test', scopes: ['credits:read'] },
      `{ creditTransactions(userId: "${user.id}", first: 1000) { edges { cursor } } }`,
    );
    expect(direct.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: { first: 'Use a number from 1 to 100.' },
    });
  });

  it('checks a persisted query sent as a hash alone like its text', async () => {
    const query = 'query Sessions($n: Int) { sessions(first: $n) { id } }';
    const persistedQuery = {
      version: 1,
      sha256Hash: createHash('sha256').update(query).digest('hex'),
    };
    const send = async (body: Record<string, unknown>) => {
      const response = await fetch(platform.gateway.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json',
          authorization: `Bearer ${user.accessToken}`,
        },
        body: JSON.stringify(body),
      });
      return {
        status: response.status,
        body: (await response.json()) as { errors?: { extensions?: Record<string, unknown> }[] },
      };
    };
    expect(
      (await send({ query, variables: { n: 1 }, extensions: { persistedQuery } })).status,
    ).toBe(200);
    expect((await send({ variables: { n: 1 }, extensions: { persistedQuery } })).status).toBe(200);
    const refused = await send({ variables: { n: 1000 }, extensions: { persistedQuery } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'MAX_PAGE_SIZE',
    });
  });
});
