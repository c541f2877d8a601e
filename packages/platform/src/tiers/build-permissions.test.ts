import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { TIER_PREAMBLE } from './preamble';
import {
  MissingTierError,
  UnknownScopeError,
  buildPermissions,
  readTiers,
} from './build-permissions';

const sdl = (body: string) =>
  parse(
    `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@inaccessible"])\n${TIER_PREAMBLE}\n${body}`,
  );

describe('buildPermissions', () => {
  it('reads field tiers, falling back to the type tier for non-root types', () => {
    const schema = buildSubgraphSchema({
      typeDefs:
        sdl(`type Thing @tier(level: AUTHENTICATED) { id: ID! @tier(level: PUBLIC) secret: String }
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
    const schema = buildSubgraphSchema({
      typeDefs: sdl('type Query { a: String @tier(level: INTERNAL) }'),
    });
    expect(() => buildPermissions(schema)).toThrow(/Query\.a \(INTERNAL without scopes\)/);
  });

  it('refuses to start on a scope the registry does not know, naming the scope and every field', () => {
    const schema = buildSubgraphSchema({
      typeDefs:
        sdl(`type Thing @tier(level: AUTHENTICATED, scopes: ["user:read"]) { id: ID! name: String }
        type Query {
          a: Thing @tier(level: INTERNAL, scopes: ["users:read", "credit:write"])
          b: String @tier(level: INTERNAL, scopes: ["users:read"])
        }`),
    });
    expect(() => buildPermissions(schema)).toThrow(UnknownScopeError);
    expect(() => buildPermissions(schema)).toThrow(
      '@tier names scopes the registry (SCOPES in auth/viewer.ts) does not know: "user:read" on Thing.id, Thing.name; "credit:write" on Query.a.' +
        ' Known scopes: users:read, credits:read, credits:write, orgs:read, tokens:admin',
    );
  });

  it('accepts every scope the registry lists', () => {
    const schema = buildSubgraphSchema({
      typeDefs: sdl(
        'type Query { a: String @tier(level: INTERNAL, scopes: ["users:read", "credits:read", "credits:write", "orgs:read", "tokens:admin"]) }',
      ),
    });
    expect(() => buildPermissions(schema)).not.toThrow();
  });
});
