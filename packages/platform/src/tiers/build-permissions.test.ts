import { randomUUID } from 'node:crypto';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import type { UserViewer, Viewer } from '../auth/viewer';
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

  it('reads a capability and refuses one the registry does not know or on a PUBLIC or INTERNAL field', () => {
    const ok = buildSubgraphSchema({
      typeDefs: sdl(
        'type Query { a: String @tier(level: AUTHENTICATED, capability: "profile:read") }',
      ),
    });
    expect(readTiers(ok).get('Query.a')).toEqual({
      level: 'AUTHENTICATED',
      scopes: [],
      owner: undefined,
      capability: 'profile:read',
    });
    const bad = buildSubgraphSchema({
      typeDefs: sdl(`type Query {
        a: String @tier(level: VERIFIED, capability: "profile:write")
        b: String @tier(level: PUBLIC, capability: "profile:read")
        c: String @tier(level: INTERNAL, scopes: ["users:read"], capability: "profile:read")
      }`),
    });
    expect(() => readTiers(bad)).toThrow(MissingTierError);
    expect(() => readTiers(bad)).toThrow(/Query\.a \(unknown capability "profile:write"/);
    expect(() => readTiers(bad)).toThrow(/Query\.b \(capability needs AUTHENTICATED or VERIFIED/);
    expect(() => readTiers(bad)).toThrow(/Query\.c \(capability needs AUTHENTICATED or VERIFIED/);
  });
});

describe('impersonation is read-only (the Mutation type, every field)', () => {
  const schema = buildSubgraphSchema({
    typeDefs: sdl(`type Query { me: String @tier(level: AUTHENTICATED) }
      type Mutation {
        rename: String @tier(level: AUTHENTICATED)
        login: String @tier(level: PUBLIC)
      }`),
    resolvers: {
      Query: { me: () => 'me' },
      Mutation: { rename: () => 'renamed', login: () => 'in' },
    },
  });
  const guarded = applyMiddleware(schema, buildPermissions(schema).permissions);
  const base: UserViewer = {
    kind: 'user',
    userId: randomUUID(),
    sessionId: randomUUID(),
    emailVerified: true,
    organizationId: null,
    role: null,
    tokenId: '',
    issuedAt: 0,
    amr: ['pwd'],
    authTime: 0,
    mfaEnrolled: false,
  };
  const run = async (source: string, viewer: Viewer) => {
    const result = await graphql({ schema: guarded, source, contextValue: { viewer } });
    return result.errors?.map((e) => [e.extensions.code, e.extensions.reason]) ?? result.data;
  };
  const impersonated: Viewer = { ...base, actor: { sub: 'support-desk' } };

  it('refuses every mutation, even a public one, to an impersonated viewer', async () => {
    expect(await run('mutation { rename }', impersonated)).toEqual([
      ['FORBIDDEN', 'IMPERSONATION_READ_ONLY'],
    ]);
    expect(await run('mutation { login }', impersonated)).toEqual([
      ['FORBIDDEN', 'IMPERSONATION_READ_ONLY'],
    ]);
  });

  it('lets it read, and lets the user themself write', async () => {
    expect(await run('{ me }', impersonated)).toEqual({ me: 'me' });
    expect(await run('mutation { rename }', base)).toEqual({ rename: 'renamed' });
  });
});
