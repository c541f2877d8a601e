import type { TierSpec } from '@bastion/platform';
import { TIER_CODES, expectedCode, fieldOperation, matrixViewers, rootFields, type TestPlatform } from '@bastion/testing';

type SubgraphName = 'auth' | 'orgs' | 'credits' | 'ai';

/**
 * For every root field of a subgraph (read from its schema) and each of the five callers: the
 * field is refused with exactly the tier's code, or it is not refused on tier grounds at all.
 */
export async function checkRootFieldTiers(platform: TestPlatform, name: SubgraphName): Promise<number> {
  const { schema, tiers } = platform[name].subgraph;
  let checked = 0;
  for (const { operation, field } of rootFields(schema)) {
    const spec = tiers.get(`${operation === 'query' ? 'Query' : 'Mutation'}.${field.name}`) as TierSpec;
    const { selection, variableDefs, variables } = fieldOperation(field);
    const document = `${operation} Matrix${variableDefs ? `(${variableDefs})` : ''} { ${selection} }`;
    for (const { name: who, viewer } of matrixViewers(spec)) {
      const response = await platform.subgraph(name, viewer, document, variables);
      const errors = (response.body.errors ?? []).filter((e) => e.path?.[0] === field.name);
      const codes = errors.map((e) => e.extensions?.code);
      const expected = expectedCode(spec, viewer);
      const context = `${name} ${operation} ${field.name} as ${who}: ${JSON.stringify(response.body.errors)}`;
      if (expected) {
        expect([context, codes]).toEqual([context, [expected]]);
        expect(response.body.data?.[field.name] ?? null).toBeNull();
      } else {
        expect([context, codes.filter((c) => TIER_CODES.includes(String(c)))]).toEqual([context, []]);
      }
      checked += 1;
    }
  }
  return checked;
}
