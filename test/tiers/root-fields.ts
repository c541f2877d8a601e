import type { GraphQLSchema } from 'graphql';
import { readTierTable } from '@bastion/schema';
import {
  TIER_CODES,
  fieldOperation,
  matrixViewers,
  rootFields,
  type TestPlatform,
} from '@bastion/testing';
import { expectedRefusal, rowFor } from './expected';

/**
 * For every root field of a subgraph (read from its running schema) and each of the five callers:
 * the field is refused with exactly the code the reviewed table and the hand-written tier rules
 * give, or it is not refused on tier grounds at all.
 */
export async function checkRootFieldTiers(platform: TestPlatform, name: string): Promise<number> {
  const { schema } = (
    platform.subgraphs[name] as unknown as { subgraph: { schema: GraphQLSchema } }
  ).subgraph;
  const table = readTierTable();
  const fields = rootFields(schema);
  // The running schema and the table list the same root fields (a new one must be reviewed first).
  const rootRows = table
    .filter((r) => r.subgraph === name && /^(Query|Mutation)\.[^_]/.test(r.field))
    .map((r) => r.field)
    .sort();
  expect(
    fields
      .map(
        ({ operation, field }) => `${operation === 'query' ? 'Query' : 'Mutation'}.${field.name}`,
      )
      .sort(),
  ).toEqual(rootRows);
  let checked = 0;
  for (const { operation, field } of fields) {
    const row = rowFor(
      table,
      name,
      `${operation === 'query' ? 'Query' : 'Mutation'}.${field.name}`,
    );
    const { selection, variableDefs, variables } = fieldOperation(field);
    const document = `${operation} Matrix${variableDefs ? `(${variableDefs})` : ''} { ${selection} }`;
    for (const { name: who, viewer, caller } of matrixViewers(row.scopes)) {
      const response = await platform.subgraph(name, viewer, document, variables);
      const errors = (response.body.errors ?? []).filter((e) => e.path?.[0] === field.name);
      const codes = errors.map((e) => e.extensions?.code);
      const expected = expectedRefusal(row, caller);
      const context = `${name} ${operation} ${field.name} (${row.tier}) as ${who}: ${JSON.stringify(response.body.errors)}`;
      if (expected) {
        expect([context, codes]).toEqual([context, [expected]]);
        expect(response.body.data?.[field.name] ?? null).toBeNull();
      } else {
        expect([context, codes.filter((c) => TIER_CODES.includes(String(c)))]).toEqual([
          context,
          [],
        ]);
      }
      checked += 1;
    }
  }
  return checked;
}
