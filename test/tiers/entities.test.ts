import { randomUUID } from 'node:crypto';
import type { SubgraphService, Viewer } from '@bastion/platform';
import { readTierTable } from '@bastion/schema';
import {
  PLATFORM_SETUP_MS,
  eventually,
  fieldOperation,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { expectedRefusal, rowFor, type Caller } from './expected';

/**
 * `_entities` is open to anyone who reaches a subgraph, so every entity field must keep its own
 * tier through it: for each entity type, each of its fields is read through `_entities` as the
 * owner, another user, an anonymous caller and services with and without the scope.
 */
describe('_entities keeps every entity field behind its tier', () => {
  let platform: TestPlatform;
  let owner: TestUser;
  let organizationId: string;

  beforeAll(async () => {
    platform = await startTestPlatform();
    owner = await registerUser(platform, { verified: true });
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation { createOrganization(name: "Entity Test") { id } }',
      {},
      { token: owner.accessToken },
    );
    organizationId = created.body.data!.createOrganization.id;
    await eventually(async () =>
      expect(await platform.credits.services.ledger.account(owner.id)).not.toBeNull(),
    );
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  /** The owner is the user whose id every representation below carries (as `id`, and as `userId` on owned children). */
  function callers(): { name: string; viewer: Viewer; caller: Caller }[] {
    const base = {
      sessionId: randomUUID(),
      emailVerified: true,
      organizationId: null,
      role: null,
      tokenId: randomUUID(),
      issuedAt: 0,
      amr: ['pwd'],
      authTime: Math.floor(Date.now() / 1000),
      mfaEnrolled: false,
    };
    const readScopes = ['users:read', 'credits:read', 'orgs:read'];
    return [
      { name: 'anonymous', viewer: { kind: 'anonymous' }, caller: { kind: 'anonymous' } },
      {
        name: 'owner',
        viewer: { kind: 'user', userId: owner.id, ...base },
        caller: { kind: 'user', verified: true, owner: true },
      },
      {
        name: 'other user',
        viewer: { kind: 'user', userId: randomUUID(), ...base },
        caller: { kind: 'user', verified: true, owner: false },
      },
      {
        name: 'service with every read scope',
        viewer: { kind: 'service', name: 'test', scopes: readScopes },
        caller: { kind: 'service', scopes: readScopes },
      },
      {
        name: 'service without scope',
        viewer: { kind: 'service', name: 'test', scopes: [] },
        caller: { kind: 'service', scopes: [] },
      },
    ];
  }

  const cases: [
    subgraph: 'auth' | 'credits' | 'orgs' | 'ai' | 'webhooks',
    typeName: string,
    id: () => string,
  ][] = [
    ['auth', 'User', () => owner.id],
    ['credits', 'User', () => owner.id],
    ['orgs', 'User', () => owner.id],
    ['orgs', 'Organization', () => organizationId],
    ['ai', 'User', () => owner.id],
    ['auth', 'UserDataExport', () => owner.id],
    ['orgs', 'UserDataExport', () => owner.id],
    ['credits', 'UserDataExport', () => owner.id],
    ['ai', 'UserDataExport', () => owner.id],
    ['webhooks', 'Organization', () => organizationId],
    ['webhooks', 'UserDataExport', () => owner.id],
  ];
  // Every subgraph of the registry, written out: a new one must add its entity types above.
  const SUBGRAPHS = ['auth', 'orgs', 'credits', 'ai', 'webhooks'] as const;
  const running = (name: string) => platform.subgraphs[name] as SubgraphService<never, unknown>;

  it('covers every entity type of every subgraph', () => {
    expect(Object.keys(platform.subgraphs).sort()).toEqual([...SUBGRAPHS].sort());
    const entityTypes = SUBGRAPHS.flatMap((subgraph) => {
      const union = running(subgraph).subgraph.schema.getType('_Entity') as
        import('graphql').GraphQLUnionType | undefined;
      return (union?.getTypes() ?? []).map((t) => `${subgraph} ${t.name}`);
    });
    expect(entityTypes.sort()).toEqual(
      cases.map(([subgraph, typeName]) => `${subgraph} ${typeName}`).sort(),
    );
  });

  it.each(cases)('%s %s', async (subgraph, typeName, id) => {
    const { schema } = running(subgraph).subgraph;
    const table = readTierTable();
    const type = schema.getType(typeName) as import('graphql').GraphQLObjectType;
    let checked = 0;
    for (const field of Object.values(type.getFields())) {
      const row = rowFor(table, subgraph, `${typeName}.${field.name}`);
      const { selection } = fieldOperation(field);
      const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${typeName} { ${selection} } } }`;
      for (const { name, viewer, caller } of callers()) {
        const response = await platform.subgraph(subgraph, viewer, query, {
          r: [{ __typename: typeName, id: id() }],
        });
        const entity =
          (response.body.data?._entities as Record<string, unknown>[] | undefined)?.[0] ?? null;
        const codes = (response.body.errors ?? []).map((e) => e.extensions?.code);
        const expected = expectedRefusal(row, caller);
        const context = `${subgraph} ${typeName}.${field.name} (${row.tier}) as ${name}`;
        if (expected) {
          // Refused: no value, and exactly the tier's code (the tier is checked before the domain
          // could hide the entity).
          expect([context, entity?.[field.name] ?? null, codes]).toEqual([
            context,
            null,
            [expected],
          ]);
        } else if (
          typeName === 'Organization' &&
          name === 'other user' &&
          (subgraph === 'orgs' || field.name !== 'id')
        ) {
          // The tier passes, but the domain hides organizations from non-members (webhooks' stub
          // answers the id it was given; its endpoints are for the organization's ADMINs).
          expect([context, entity, codes]).toEqual([context, null, ['NOT_FOUND']]);
        } else {
          expect([context, codes]).toEqual([context, []]);
          expect([context, entity && field.name in entity]).toEqual([context, true]);
        }
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});
