import { randomUUID } from 'node:crypto';
import { SCOPES, loadConfig, schemaOf, serviceTokenEntry, parseEvent } from '@bastion/platform';
import { gatewayConfigSchema, startGateway, type RunningGateway } from '@bastion/gateway';
import {
  loadJose,
  eventually,
  postGraphQL,
  registerUser,
  startTestPlatform,
  testEnv,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

const CREATE = 'mutation ($name: String!) { createOrganization(name: $name) { id } }';
const SWITCH =
  'mutation ($id: ID) { switchOrganization(organizationId: $id) { accessToken refreshToken } }';
const REFRESH =
  'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const CHANGE_ROLE =
  'mutation ($o: ID!, $u: ID!, $r: Role!) { changeMemberRole(organizationId: $o, userId: $u, role: $r) { role } }';
const REMOVE = 'mutation ($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }';
type Tokens = { accessToken: string; refreshToken: string };

/**
 * A role change, a removal or a deleted organization voids the access tokens that still carry the
 * old `org`/`role` claims, at every gateway: the platform's own (which shares auth's list in one
 * process, or reads Redis) and a replica without Redis that learns only from auth's broadcast.
 */
describe('stale organization claims', () => {
  let platform: TestPlatform;
  let replica: RunningGateway;

  beforeAll(async () => {
    platform = await startTestPlatform();
    const config = { ...loadConfig(gatewayConfigSchema, testEnv()), PORT: 0, INTERNAL_PORT: 0 };
    const { auth, orgs, credits, ai } = platform;
    replica = await startGateway(config, {
      ...platform.deps,
      redis: undefined,
      extraServiceTokens: [
        serviceTokenEntry('development', [...SCOPES], platform.devServiceToken!),
      ],
      subgraphUrls: { auth: auth.url, orgs: orgs.url, credits: credits.url, ai: ai.url },
    });
  });
  afterAll(async () => {
    await replica?.stop();
    await platform?.stop();
  });

  const gateways = () => [platform.gateway.url, replica.url];
  const decode = async (token: string) => (await loadJose()).decodeJwt(token);
  /** `me` at every gateway: [status, error code or the id served]. */
  const meEverywhere = (token: string) =>
    Promise.all(
      gateways().map(async (url) => {
        const response = await postGraphQL<{ me: { id: string } }>(
          url,
          '{ me { id } }',
          {},
          { token },
        );
        return [
          response.status,
          response.body.errors?.[0].extensions?.code ?? response.body.data?.me.id,
        ];
      }),
    );
  const served = (user: TestUser) => [
    [200, user.id],
    [200, user.id],
  ];
  const REFUSED = [
    [401, 'UNAUTHENTICATED'],
    [401, 'UNAUTHENTICATED'],
  ];

  /** An organization of `owner` with `member` in it as ADMIN (set up directly), both switched into it. */
  async function organizationWith(
    owner: TestUser,
    member: TestUser,
  ): Promise<{ orgId: string; ownerIn: Tokens; memberIn: Tokens }> {
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      CREATE,
      { name: 'Claims' },
      { token: owner.accessToken },
    );
    const orgId = created.body.data!.createOrganization.id;
    await platform.orgs.dataSource.query(
      `INSERT INTO ${schemaOf(platform.orgs.dataSource)}.memberships (organization_id, user_id, role, joined_at) VALUES ($1, $2, 'ADMIN', now())`,
      [orgId, member.id],
    );
    const switchInto = async (user: TestUser) =>
      (
        await platform.gql<{ switchOrganization: Tokens }>(
          SWITCH,
          { id: orgId },
          { token: user.accessToken },
        )
      ).body.data!.switchOrganization;
    return { orgId, ownerIn: await switchInto(owner), memberIn: await switchInto(member) };
  }
  const users = async () => [
    await registerUser(platform, { verified: true }),
    await registerUser(platform, { verified: true }),
  ];

  it("a demotion refuses the old org token at once; personal and other members' tokens work; a refresh carries the new role", async () => {
    const [owner, member] = await users();
    const { orgId, ownerIn, memberIn } = await organizationWith(owner, member);
    expect(await decode(memberIn.accessToken)).toMatchObject({ org: orgId, role: 'ADMIN' });
    expect(await meEverywhere(memberIn.accessToken)).toEqual(served(member));

    const changed = await platform.gql(
      CHANGE_ROLE,
      { o: orgId, u: member.id, r: 'VIEWER' },
      { token: ownerIn.accessToken },
    );
    expect(changed.body).toEqual({ data: { changeMemberRole: { role: 'VIEWER' } } });
    await eventually(async () => expect(await meEverywhere(memberIn.accessToken)).toEqual(REFUSED));

    // Not a sign-out: the member's token without the org claim, and the owner's org token, still work.
    expect(await meEverywhere(member.accessToken)).toEqual(served(member));
    expect(await meEverywhere(ownerIn.accessToken)).toEqual(served(owner));
    const refreshed = (
      await platform.gql<{ refreshToken: Tokens }>(REFRESH, { t: memberIn.refreshToken })
    ).body.data!.refreshToken;
    expect(await decode(refreshed.accessToken)).toMatchObject({
      sub: member.id,
      org: orgId,
      role: 'VIEWER',
    });
    expect(await meEverywhere(refreshed.accessToken)).toEqual(served(member));
  });

  it('a removal refuses the org token and the next refresh is personal', async () => {
    const [owner, member] = await users();
    const { orgId, ownerIn, memberIn } = await organizationWith(owner, member);
    expect(
      (await platform.gql(REMOVE, { o: orgId, u: member.id }, { token: ownerIn.accessToken })).body,
    ).toEqual({ data: { removeMember: true } });
    await eventually(async () => expect(await meEverywhere(memberIn.accessToken)).toEqual(REFUSED));
    expect(await meEverywhere(member.accessToken)).toEqual(served(member));

    const refreshed = (
      await platform.gql<{ refreshToken: Tokens }>(REFRESH, { t: memberIn.refreshToken })
    ).body.data!.refreshToken;
    expect(await decode(refreshed.accessToken)).toMatchObject({
      sub: member.id,
      org: null,
      role: null,
    });
    expect(await meEverywhere(refreshed.accessToken)).toEqual(served(member));
  });

  it("a deleted organization refuses every member's org token, and no other token", async () => {
    const [owner, member] = await users();
    const { orgId, ownerIn, memberIn } = await organizationWith(owner, member);
    const [bystanderOwner, bystanderMember] = await users();
    const elsewhere = await organizationWith(bystanderOwner, bystanderMember);

    expect(
      (
        await platform.gql(
          `mutation { deleteOrganization(id: "${orgId}") }`,
          {},
          { token: ownerIn.accessToken },
        )
      ).body,
    ).toEqual({ data: { deleteOrganization: true } });
    await eventually(async () => {
      expect(await meEverywhere(ownerIn.accessToken)).toEqual(REFUSED);
      expect(await meEverywhere(memberIn.accessToken)).toEqual(REFUSED);
    });
    expect(await meEverywhere(owner.accessToken)).toEqual(served(owner));
    expect(await meEverywhere(member.accessToken)).toEqual(served(member));
    expect(await meEverywhere(elsewhere.memberIn.accessToken)).toEqual(served(bystanderMember));
  });

  it('applies each membership change once: a redelivery changes no session and broadcasts nothing more', async () => {
    const [owner, member] = await users();
    const { orgId, ownerIn, memberIn } = await organizationWith(owner, member);
    await platform.gql(
      CHANGE_ROLE,
      { o: orgId, u: member.id, r: 'EDITOR' },
      { token: ownerIn.accessToken },
    );
    await eventually(async () => expect(await meEverywhere(memberIn.accessToken)).toEqual(REFUSED));

    const orgs = schemaOf(platform.orgs.dataSource);
    const [row] = await platform.orgs.dataSource.query(
      `SELECT id, type, data, occurred_at FROM ${orgs}.outbox WHERE type = 'ORGANIZATION_MEMBERSHIP_CHANGED' AND data->>'userId' = $1`,
      [member.id],
    );
    const event = parseEvent(
      {
        id: row.id,
        type: row.type,
        data: row.data,
        occurredAt: new Date(row.occurred_at).toISOString(),
        source: 'orgs',
      },
      ['ORGANIZATION_MEMBERSHIP_CHANGED'],
    );
    const auth = schemaOf(platform.auth.dataSource);
    const sessionId = (await decode(memberIn.accessToken)).sid as string;
    const sessionRole = async () =>
      (
        await platform.auth.dataSource.query(`SELECT role FROM ${auth}.sessions WHERE id = $1`, [
          sessionId,
        ])
      )[0].role;
    const broadcasts = async () =>
      (
        await platform.auth.dataSource.query(
          `SELECT data FROM ${auth}.outbox WHERE type = 'ORGANIZATION_TOKENS_REVOKED' AND data->>'userId' = $1`,
          [member.id],
        )
      ).map((r: { data: Record<string, unknown> }) => r.data);
    const expected = [
      {
        organizationId: orgId,
        userId: member.id,
        role: 'EDITOR',
        changedAt: row.data.changedAt,
        reason: 'role_changed',
      },
    ];
    expect(await broadcasts()).toEqual(expected);
    expect(await sessionRole()).toBe('EDITOR');

    // Put the session back by hand, so that a second run of the effect would show.
    await platform.auth.dataSource.query(
      `UPDATE ${auth}.sessions SET role = 'ADMIN' WHERE id = $1`,
      [sessionId],
    );
    await platform.auth.services.handleOrganizationEvent(event);
    expect(await sessionRole()).toBe('ADMIN');
    expect(await broadcasts()).toEqual(expected);
    // The control: the same news under a new event id is applied.
    await platform.auth.services.handleOrganizationEvent({ ...event, id: randomUUID() });
    expect(await sessionRole()).toBe('EDITOR');
    expect(await broadcasts()).toHaveLength(2);
  });
});
