import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { TIER_PREAMBLE } from './preamble';
import { MissingTierError, buildPermissions, readTiers } from './build-permissions';

const sdl = (body: string) =>
  parse(`extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@inaccessible"])\n${TIER_PREAMBLE}\n${body}`);

describe('buildPermissions', () => {
  it('reads field tiers, falling back to the type tier for non-root types', () => {
    const schema = buildSubgraphSchema({
      typeDefs: sdl(`type Thing @tier(level: AUTHENTICATED) { id: ID! @tier(level: PUBLIC) secret: String }
        type Query { thing: Thing @tier(level: PUBLIC) }`),
    });
    const tiers = readTiers(schema);
    expect(tiers.get('Query.thing')).toEqual({ level: 'PUBLIC', scopes: [], owner: undefined });
    expect(tiers.get('Thing.id')?.level).toBe('PUBLIC');
    expect(tiers.get('Thing.secret')?.level).toBe('AUTHENTICATED');
    expect(() => buildPermissions(schema)).not.toThrow();
  });

  it('refuses to start when any field has no tier, naming every one', () => {
    const schema = buildSubgraphSchema({
      typeDefs: sdl(`type Thing { id: ID! }
        type Query { a: Thing @tier(level: PUBLIC) b: String }`),
    });
    expect(() => buildPermissions(schema)).toThrow(MissingTierError);
    expect(() => buildPermissions(schema)).toThrow(/Query\.b.*Thing\.id|Thing\.id.*Query\.b/);
  });

  it('refuses an INTERNAL field without scopes', () => {
    const schema = buildSubgraphSchema({ typeDefs: sdl('type Query { a: String @tier(level: INTERNAL) }') });
    expect(() => buildPermissions(schema)).toThrow(/Query\.a \(INTERNAL without scopes\)/);
  });
});
