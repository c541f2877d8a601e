import { readFileSync } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import { TIER_PREAMBLE } from '@bastion/platform';
import { SUBGRAPHS, SUPERGRAPH_PATHS, composeSupergraphs, subgraphSdl } from '../src/compose';

describe('schema/ composition', () => {
  const fresh = composeSupergraphs();

  it('the committed supergraphs are what the SDL composes to (run `npm run compose`)', () => {
    expect(readFileSync(SUPERGRAPH_PATHS.public, 'utf8')).toBe(fresh.public);
    expect(readFileSync(SUPERGRAPH_PATHS.internal, 'utf8')).toBe(fresh.internal);
  });

  it.each(SUBGRAPHS.map((s) => s.name))('%s starts with the shared tier preamble', (name) => {
    expect(subgraphSdl(name)).toContain(TIER_PREAMBLE);
  });

  it('hides every INTERNAL field from the public API schema and keeps it in the internal one', () => {
    const publicApi = Supergraph.build(fresh.public).apiSchema().toGraphQLJSSchema();
    const internalApi = Supergraph.build(fresh.internal).apiSchema().toGraphQLJSSchema();
    const internalFields = SUBGRAPHS.flatMap(({ name }) =>
      [
        ...subgraphSdl(name).matchAll(
          /^\s+(\w+)(?:\([^)]*\))?:[^\n]*\n?\s*@tier\(level: INTERNAL/gm,
        ),
      ].map((m) => m[1]),
    );
    expect(internalFields).toEqual(
      expect.arrayContaining(['user', 'userByEmail', 'creditBalance', 'addCredits', 'useCredits']),
    );
    for (const field of internalFields) {
      const inPublic = {
        ...publicApi.getQueryType()!.getFields(),
        ...publicApi.getMutationType()!.getFields(),
      }[field];
      const inInternal = {
        ...internalApi.getQueryType()!.getFields(),
        ...internalApi.getMutationType()!.getFields(),
      }[field];
      expect([field, inPublic === undefined, inInternal !== undefined]).toEqual([
        field,
        true,
        true,
      ]);
    }
    expect(publicApi.getType('Tier')).toBeUndefined();
  });
});
