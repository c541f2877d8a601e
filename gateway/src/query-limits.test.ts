import { getIntrospectionQuery, parse } from 'graphql';
import { findLimitViolation, limitWork, type DocumentLimits } from './query-limits';
import { checkDocument } from './request-limits';
import { buildCostSchema } from './cost-schema';

const LOOSE: DocumentLimits = {
  maxDepth: 100,
  maxIntrospectionDepth: 100,
  maxAliases: 1e6,
  maxDirectives: 1e6,
  maxFieldDirectives: 100,
};
const check = (document: string, limits: Partial<DocumentLimits>) =>
  findLimitViolation(parse(document), { ...LOOSE, ...limits });

describe('findLimitViolation', () => {
  it('measures depth through fields, inline fragments and fragment spreads', () => {
    // a > b > c > d: four levels, the last two inside a fragment reached through an inline fragment.
    const document = '{ a { b { ... on B { ...C } } } } fragment C on B { c { d } }';
    expect(check(document, { maxDepth: 4 })).toBeNull();
    expect(check(document, { maxDepth: 3 })).toEqual({
      reason: 'MAX_DEPTH',
      message: 'The operation is nested 4 levels deep; the limit is 3.',
    });
  });

  it("counts a fragment's aliases once per spread", () => {
    // 2 aliases in F, spread 3 times, plus one in the operation: 7.
    const document = 'query { x: a ...F ...F b { ...F } } fragment F on Q { p: a q: a }';
    expect(check(document, { maxAliases: 7 })).toBeNull();
    expect(check(document, { maxAliases: 6 })?.reason).toBe('MAX_ALIASES');
  });

  it('multiplies through a doubling chain arithmetically, saturating instead of overflowing', () => {
    const levels = 1_100; // 2^1100 is Infinity as a double
    const fragments = Array.from(
      { length: levels },
      (_, i) => `fragment F${i} on Q { a: x ...F${i + 1} ...F${i + 1} }`,
    ).join(' ');
    const document = `{ ...F0 } ${fragments} fragment F${levels} on Q { a: x }`;
    const before = limitWork.nodesVisited;
    expect(check(document, { maxAliases: 1e8 })).toEqual({
      reason: 'MAX_ALIASES',
      message: 'The operation uses 1000000000 aliases; the limit is 100000000.',
    });
    // One visit per selection written in the document: 3 per fragment, 1 in the last, 1 in the operation.
    expect(limitWork.nodesVisited - before).toBe(3 * levels + 2);
  });

  it("terminates on fragment cycles, which graphql's own validation reports", () => {
    expect(
      check('{ ...A } fragment A on Q { a: x ...B } fragment B on Q { b: x ...A }', {
        maxAliases: 2,
      }),
    ).toBeNull();
    expect(check('{ ...A } fragment A on Q { ...A }', {})).toBeNull();
  });

  it('limits directives on one selection and in the whole operation', () => {
    const on = (n: number) => Array.from({ length: n }, () => '@skip(if: false)').join(' ');
    expect(check(`{ a ${on(10)} }`, { maxFieldDirectives: 10 })).toBeNull();
    expect(check(`{ a ${on(11)} }`, { maxFieldDirectives: 10 })?.reason).toBe('MAX_DIRECTIVES');
    expect(
      check(`{ ...F ${on(11)} } fragment F on Q { a }`, { maxFieldDirectives: 10 })?.reason,
    ).toBe('MAX_DIRECTIVES');
    expect(check(`query ($v: Int ${on(11)}) { a }`, { maxFieldDirectives: 10 })?.reason).toBe(
      'MAX_DIRECTIVES',
    );
    // 1 on the operation, 1 on the spread, 2 in F spread twice: 6.
    const document = `query @a { ...F @b ...F } fragment F on Q @c { a @d }`;
    expect(check(document, { maxDirectives: 6 })).toBeNull();
    expect(check(document, { maxDirectives: 5 })?.reason).toBe('MAX_DIRECTIVES');
  });

  it("lets the standard introspection query (15 deep) through its own depth bound, not the operation's", () => {
    const introspection = getIntrospectionQuery();
    expect(check(introspection, { maxDepth: 12, maxIntrospectionDepth: 16 })).toBeNull();
    expect(check(introspection, { maxDepth: 12, maxIntrospectionDepth: 14 })?.message).toMatch(
      /introspection query is nested 15 levels/,
    );
    expect(check('{ __typename a { __typename } }', { maxDepth: 1 })).toBeNull();
  });
});

describe('checkDocument', () => {
  const limits = {
    ...LOOSE,
    maxAliases: 2,
    maxTokens: 1_000,
    maxCharacters: 10_000,
    maxBatchOperations: 10,
  };

  it('remembers a document checked, by operation name and the numbers among its variables', () => {
    const document = '{ a: x b: x c: x }';
    let before = limitWork.nodesVisited;
    const first = checkDocument(document, limits);
    expect(first.violation?.reason).toBe('MAX_ALIASES');
    expect(limitWork.nodesVisited - before).toBe(3);
    before = limitWork.nodesVisited;
    expect(checkDocument(document, limits, { variables: {} })).toEqual(first);
    expect(limitWork.nodesVisited - before).toBe(0);
    // Another operation name or other limits are other checks.
    expect(checkDocument(document, { ...limits, maxAliases: 5 }).violation).toBeNull();
    // Variables that are not numbers change nothing measured: one walk for both.
    const withVariables = 'query Q($n: Int, $s: String) { a: x }';
    before = limitWork.nodesVisited;
    checkDocument(withVariables, limits, { variables: { s: 'one' } });
    checkDocument(withVariables, limits, { variables: { s: 'two' } });
    expect(limitWork.nodesVisited - before).toBe(1);
    // A number may size a list (a slicing argument): each value is its own check.
    before = limitWork.nodesVisited;
    checkDocument(withVariables, limits, { variables: { n: 1 } });
    checkDocument(withVariables, limits, { variables: { n: 1, s: 'three' } });
    checkDocument(withVariables, limits, { variables: { n: 2 } });
    expect(limitWork.nodesVisited - before).toBe(2);
    // An operation name that spells variables is not taken for them.
    before = limitWork.nodesVisited;
    checkDocument(withVariables, limits, { operationName: 'Q","n",1', variables: {} });
    checkDocument(withVariables, limits, { operationName: 'Q', variables: { n: 1 } });
    expect(limitWork.nodesVisited - before).toBe(2);
  });

  it('charges the size a variable asks for, also once the document is remembered', () => {
    const costed = {
      ...limits,
      cost: {
        schema: buildCostSchema(
          'type Query { top(first: Int = 5): [Item!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) } type Item { id: ID! }',
        ),
        maxCost: 1_000,
        defaultListSize: 10,
        maxPageSize: 100,
      },
    };
    const query = 'query Top($n: Int) { top(first: $n) { id } }';
    // One object per item: the cost is the size asked for (hand-computed).
    expect(checkDocument(query, costed, { variables: { n: 3 } }).cost).toBe(3);
    expect(checkDocument(query, costed, { variables: { n: 7 } }).cost).toBe(7);
    expect(checkDocument(query, costed, { variables: { n: 3 } }).cost).toBe(3);
    expect(checkDocument(query, costed, { variables: {} }).cost).toBe(5);
  });
});
