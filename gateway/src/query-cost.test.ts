import { parse } from 'graphql';
import { buildCostSchema } from './cost-schema';
import {
  limitWork,
  measureDocument,
  type DocumentLimits,
  type DocumentRequest,
} from './query-limits';

// A small schema written for this test; every expectation below is computed by hand from it.
const SDL = `
  schema { query: Query mutation: Mutation }
  type Query {
    org(id: ID!): Org
    orgs: [Org!]!
    page(first: Int = 20, after: String): Conn! @listSize(slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false)
    tags: [String!]! @listSize(assumedSize: 5)
    top(first: Int = 5): [Org!]! @listSize(slicingArguments: ["first"], assumedSize: 50, requireOneSlicingArgument: false)
  }
  type Mutation { login: Payload! @cost(weight: 100) }
  type Payload { token: String! user: Org! }
  type Org { id: ID! name: String! members: [Member!]! @listSize(assumedSize: 4) }
  type Member { org: Org! @cost(weight: 3) }
  type Conn { edges: [Edge!]! pageInfo: Info! }
  type Edge { node: Org! cursor: String! }
  type Info { hasNextPage: Boolean! }
`;

const LIMITS: DocumentLimits = {
  maxDepth: 100,
  maxIntrospectionDepth: 100,
  maxAliases: 1e6,
  maxDirectives: 1e6,
  maxFieldDirectives: 100,
  cost: { schema: buildCostSchema(SDL), maxCost: 1e9, defaultListSize: 10, maxPageSize: 100 },
};
const measure = (document: string, request: DocumentRequest = {}, maxCost = 1e9) =>
  measureDocument(parse(document), { ...LIMITS, cost: { ...LIMITS.cost!, maxCost } }, request);
const cost = (document: string, request?: DocumentRequest) => measure(document, request).cost;

describe('estimated cost (@cost / @listSize)', () => {
  it('weighs objects 1, scalars 0, and @cost where written', () => {
    expect(cost('{ org(id: 1) { id name } }')).toBe(1);
    // login 100 + user 1; token is a scalar.
    expect(cost('mutation { login { token user { id } } }')).toBe(101);
    expect(cost('{ __typename tags }')).toBe(0);
  });

  it("multiplies a list's items by its size: assumedSize, else the default list size", () => {
    expect(cost('{ orgs { id } }')).toBe(10); // 10 (default) x 1
    // org 1 + members 4 x (Member 1 + org @cost 3)
    expect(cost('{ org(id: 1) { members { org { id } } } }')).toBe(17);
    // orgs 10 x (1 + members 4 x (1 + 3))
    expect(cost('{ orgs { members { org { id } } } }')).toBe(170);
  });

  it('sizes a list by its slicing argument: literal, variable, variable default, argument default', () => {
    expect(cost('{ top(first: 3) { id } }')).toBe(3);
    expect(cost('query ($n: Int) { top(first: $n) { id } }', { variables: { n: 7 } })).toBe(7);
    expect(cost('query ($n: Int = 9) { top(first: $n) { id } }')).toBe(9);
    expect(cost('{ top { id } }')).toBe(5);
  });

  it("sizes a connection's edges by first (sizedFields), through fragments too", () => {
    // page 1 + edges 30 x (Edge 1 + node 1) + pageInfo 1
    expect(cost('{ page(first: 30) { edges { node { id } } pageInfo { hasNextPage } } }')).toBe(62);
    // page 1 + edges 20 (the default of first) x Edge 1
    expect(cost('{ page { edges { cursor } } }')).toBe(21);
    expect(cost('{ page(first: 30) { ...E } } fragment E on Conn { edges { node { id } } }')).toBe(
      61,
    );
    // The same fragment spread under two sizes: 1 + 2 x 2 and 1 + 50 x 2.
    expect(
      cost(
        '{ a: page(first: 2) { ...E } b: page(first: 50) { ...E } } fragment E on Conn { edges { node { id } } }',
      ),
    ).toBe(106);
  });

  it('refuses first outside 1..100 as MAX_PAGE_SIZE, literal or variable', () => {
    for (const [document, variables] of [
      ['{ top(first: 101) { id } }', {}],
      ['{ page(first: 0) { pageInfo { hasNextPage } } }', {}],
      ['query ($n: Int) { page(first: $n) { pageInfo { hasNextPage } } }', { n: 1000 }],
    ] as const) {
      expect(measure(document, { variables }).violation).toMatchObject({
        reason: 'MAX_PAGE_SIZE',
        extensions: { fieldErrors: { first: 'Use a number from 1 to 100.' } },
      });
    }
  });

  it('refuses above maxCost as MAX_COST with the cost and the maximum', () => {
    expect(measure('{ orgs { members { org { id } } } }', {}, 170).violation).toBeNull();
    expect(measure('{ orgs { members { org { id } } } }', {}, 169).violation).toEqual({
      reason: 'MAX_COST',
      message: "The operation's estimated cost is 170; the limit is 169.",
      extensions: { cost: 170, maxCost: 169 },
    });
  });

  it('costs an unknown field as an object', () => {
    expect(cost('{ nope { x } }')).toBe(1);
  });

  // Introspection of SDL above, counted by hand. Types: its 8, the 8 introspection types of
  // graphql 16 and the built-in scalars it uses (String, Boolean, ID, Int) = 20. Fields: its 17
  // (Query 5, Mutation 1, Payload 2, Org 3, Member 1, Conn 2, Edge 2, Info 1) plus the introspection
  // types' 40 (__Schema 6, __Type 11, __Field 6, __InputValue 6, __EnumValue 4, __Directive 7) = 57.
  // One point per 10 introspection objects, rounded up, per __schema / __type selection.
  it('costs introspection by the objects it lists, and each aliased copy again', () => {
    // __schema 1 + types 20 x 1 = 21 objects: 3 points.
    expect(cost('{ __schema { types { name } } }')).toBe(3);
    // 1 + 20 types + 57 fields (20 x 57/20 per type) = 78 objects: 8 points.
    expect(cost('{ __schema { types { name fields { name } } } }')).toBe(8);
    // Aliased repeats multiply: 3 x 8.
    expect(
      cost(
        '{ a: __schema { types { fields { name } } } b: __schema { types { fields { name } } } c: __schema { types { fields { name } } } }',
      ),
    ).toBe(24);
    // Through a fragment, once per spread: 2 x 3.
    expect(
      cost(
        '{ ...S a: __schema { ...T } } fragment S on Query { __schema { ...T } } fragment T on __Schema { types { name } }',
      ),
    ).toBe(6);
    // One type: 1 object, 1 point; its fields 57/20 per type: 1 + 2.85 = 3.85 objects, 1 point.
    expect(cost('{ __type(name: "Org") { name } }')).toBe(1);
    expect(cost('{ __type(name: "Org") { fields { name } } }')).toBe(1);
    // __typename stays free.
    expect(cost('{ __typename }')).toBe(0);
  });

  it('refuses 50 aliased __schema selections by cost', () => {
    const aliases = Array.from(
      { length: 50 },
      (_, i) => `s${i}: __schema { types { name fields { name } } }`,
    ).join(' ');
    // 50 x 8 points.
    expect(measure(`{ ${aliases} }`, {}, 399).violation).toMatchObject({
      reason: 'MAX_COST',
      extensions: { cost: 400, maxCost: 399 },
    });
  });

  it('charges the operation the request names, else the most expensive one', () => {
    const document = 'query A { orgs { id } } query B { org(id: 1) { id } }';
    expect(cost(document, { operationName: 'B' })).toBe(1);
    expect(cost(document)).toBe(10);
  });

  it('costs a doubling fragment chain arithmetically, visiting each written selection once', () => {
    const levels = 20;
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Query { orgs { id } ...F${i + 1} ...F${i + 1} }`,
    );
    const document = `{ ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { orgs { id } }`;
    const before = limitWork.nodesVisited;
    // C(20) = 10 (orgs: 10 x 1); C(i) = 10 + 2 C(i+1), so C(0) = 10 x (2^21 - 1).
    expect(cost(document)).toBe(10 * (2 ** 21 - 1));
    // 4 selections in each of the 20 fragments, 2 in the last, 1 in the operation.
    expect(limitWork.nodesVisited - before).toBe(4 * levels + 2 + 1);
  });
});
