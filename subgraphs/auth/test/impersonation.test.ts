import { schemaOf, signForwardedClaims, streamOperation, type UserViewer } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startSmtpCapture,
  startTestPlatform,
  type GraphQLResponse,
  type SmtpCapture,
  type TestPlatform,
  type TestUser,
  userViewer,
} from '@bastion/testing';

/**
 * Support impersonation (issue 21; docs/security.md "Support impersonation"). The expected
 * answers come from the issue and the design: a read-only session of at most 15 minutes whose
 * tokens carry RFC 8693 `act`, refused on every mutation and on POST /ai/stream, shown to the user
 * and mailed to them, ended at once by support or by the user.
 */

const START = `mutation ($u: ID!, $r: String!, $m: Int) {
  startImpersonation(userId: $u, reason: $r, minutes: $m) { accessToken refreshToken expiresIn user { id email } }
}`;
const END = 'mutation ($s: ID!) { endImpersonation(sessionId: $s) }';
const ISSUE = 'mutation ($n: String!, $s: [String!]!) { issueServiceToken(name: $n, scopes: $s) }';
const SESSIONS =
  '{ sessions { id current expiresAt impersonatedBy impersonationReason userAgent } }';
const REFRESH =
  'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const REVOKE = 'mutation ($id: ID!) { revokeSession(id: $id) }';
const LOGIN =
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken } }';
const EVENTS = `{ me { securityEvents(first: 50) { edges { node { actorId action targetType targetId metadata } } } } }`;
const BALANCE = '{ me { credits { balance } } }';

type Started = {
  startImpersonation: {
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    user: { id: string; email: string };
  };
};
type SessionRow = {
  id: string;
  current: boolean;
  expiresAt: string;
  impersonatedBy: string | null;
  impersonationReason: string | null;
};
type SecurityEvent = {
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  metadata: Record<string, unknown>;
};

const SUPPORT = 'support-desk';
const REASON = 'ticket 4711: the invoices page shows nothing';
const FIFTEEN_MINUTES_MS = 15 * 60 * 1000;

const errorOf = (response: GraphQLResponse<unknown>) => response.body.errors?.[0];
const codeOf = (response: GraphQLResponse<unknown>) => errorOf(response)?.extensions?.code;
const reasonOf = (response: GraphQLResponse<unknown>) => errorOf(response)?.extensions?.reason;
/** The JWT's payload, read by hand (base64url JSON), not by the code under test. */
const claimsOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;

/**
 * The read-only matrix, written by hand: a mutation of every subgraph, each a valid document
 * (arguments need not name anything real: the refusal comes before any resolver).
 */
const MUTATIONS: { subgraph: string; document: string }[] = [
  {
    subgraph: 'auth',
    document: 'mutation { updateProfile(input: { displayName: "Mallory" }) { id } }',
  },
  {
    subgraph: 'auth',
    document:
      'mutation { changePassword(currentPassword: "x", newPassword: "a much longer passphrase") }',
  },
  {
    subgraph: 'auth',
    document: 'mutation { changeEmail(newEmail: "elsewhere@example.com", password: "x") }',
  },
  { subgraph: 'auth', document: 'mutation { deleteAccount(password: "x") }' },
  { subgraph: 'auth', document: 'mutation { logoutAll }' },
  {
    subgraph: 'auth',
    document: 'mutation { revokeSession(id: "00000000-0000-4000-8000-000000000000") }',
  },
  {
    subgraph: 'auth',
    document: 'mutation { switchOrganization(organizationId: null) { accessToken } }',
  },
  { subgraph: 'auth', document: 'mutation { stepUp(password: "x") { accessToken } }' },
  { subgraph: 'auth', document: 'mutation { enrollTotp { factorId } }' },
  { subgraph: 'auth', document: 'mutation { passkeyRegistrationOptions }' },
  { subgraph: 'auth', document: 'mutation { regenerateRecoveryCodes }' },
  { subgraph: 'auth', document: 'mutation { requestEmailVerification }' },
  { subgraph: 'auth', document: 'mutation { unlinkOAuthAccount(provider: "google") { id } }' },
  {
    subgraph: 'orgs',
    document: 'mutation { createOrganization(name: "Impersonated Inc") { id } }',
  },
  {
    subgraph: 'orgs',
    document:
      'mutation { updateOrganization(id: "00000000-0000-4000-8000-000000000000", name: "x") { id } }',
  },
  {
    subgraph: 'orgs',
    document: 'mutation { deleteOrganization(id: "00000000-0000-4000-8000-000000000000") }',
  },
  {
    subgraph: 'orgs',
    document:
      'mutation { inviteMember(organizationId: "00000000-0000-4000-8000-000000000000", email: "a@example.com", role: VIEWER) { id } }',
  },
  { subgraph: 'orgs', document: 'mutation { acceptInvitation(token: "x") { role } }' },
  {
    subgraph: 'credits',
    document:
      'mutation { createCheckoutSession(packageId: "p", successUrl: "https://a.example/ok", cancelUrl: "https://a.example/no") { url } }',
  },
  {
    subgraph: 'ai',
    document:
      'mutation { generateText(input: { model: "development-model", prompt: "spend my credits" }) { id } }',
  },
];

/** Reads an impersonated viewer may make, of every subgraph: all answered. */
const QUERIES: { subgraph: string; document: string }[] = [
  { subgraph: 'auth', document: '{ me { id email emailVerified mfaEnabled linkedProviders } }' },
  { subgraph: 'auth', document: '{ sessions { id current impersonatedBy } }' },
  { subgraph: 'orgs', document: '{ myOrganizations { id name } }' },
  {
    subgraph: 'orgs',
    document: '{ me { securityEvents(first: 5) { edges { node { action } } } } }',
  },
  { subgraph: 'credits', document: BALANCE },
  { subgraph: 'credits', document: '{ creditPackages { id } }' },
  { subgraph: 'ai', document: '{ me { generations(first: 5) { edges { node { id } } } } }' },
  { subgraph: 'ai', document: '{ aiModels { id } }' },
];

describe('support impersonation', () => {
  let platform: TestPlatform;
  let mail: SmtpCapture;
  /** An issued service token named SUPPORT with users:impersonate only. */
  let support: string;
  /** One with users:read but not users:impersonate. */
  let withoutScope: string;

  beforeAll(async () => {
    mail = await startSmtpCapture();
    platform = await startTestPlatform({
      SMTP_URL: mail.url,
      APP_URL: 'https://app.example.test',
      RATE_LIMIT_AUTH_PER_IP: '100000',
      // The read-only matrix runs every mutation twice as one user; the budget has tests of its own.
      COST_BUDGET_PER_MINUTE: '1000000',
    });
    const admin = { headers: { 'x-service-token': platform.devServiceToken! } };
    const issue = async (name: string, scopes: string[]) => {
      const issued = await platform.internal<{ issueServiceToken: string }>(
        ISSUE,
        { n: name, s: scopes },
        admin,
      );
      if (!issued.body.data) throw new Error(JSON.stringify(issued.body));
      return issued.body.data.issueServiceToken;
    };
    support = await issue(SUPPORT, ['users:impersonate']);
    withoutScope = await issue('helpdesk-reader', ['users:read']);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await mail?.close();
  }, PLATFORM_SETUP_MS);

  const gql = <T>(query: string, variables: Record<string, unknown> = {}, token?: string) =>
    platform.gql<T>(query, variables, { token });
  const start = (userId: string, reason = REASON, minutes?: number, token = support) =>
    platform.internal<Started>(START, { u: userId, r: reason, m: minutes }, { token });
  async function started(user: TestUser, minutes?: number) {
    const response = await start(user.id, REASON, minutes);
    if (!response.body.data) throw new Error(JSON.stringify(response.body));
    const payload = response.body.data.startImpersonation;
    return { ...payload, sessionId: claimsOf(payload.accessToken).sid as string };
  }
  const sessionsOf = async (token: string) => {
    const response = await gql<{ sessions: SessionRow[] }>(SESSIONS, {}, token);
    if (!response.body.data) throw new Error(JSON.stringify(response.body));
    return response.body.data.sessions;
  };
  const securityEvents = async (token: string) => {
    const response = await gql<{ me: { securityEvents: { edges: { node: SecurityEvent }[] } } }>(
      EVENTS,
      {},
      token,
    );
    if (!response.body.data) throw new Error(JSON.stringify(response.body));
    return response.body.data.me.securityEvents.edges.map((e) => e.node);
  };
  const impersonationRows = async (userId: string) =>
    (await platform.auth.dataSource.query(
      `SELECT id, impersonated_by, impersonation_reason, created_at, expires_at, revoked_at FROM ${schemaOf(platform.auth.dataSource)}.sessions WHERE user_id = $1 AND impersonated_by IS NOT NULL`,
      [userId],
    )) as {
      id: string;
      impersonated_by: string;
      impersonation_reason: string;
      created_at: Date;
      expires_at: Date;
      revoked_at: Date | null;
    }[];

  it('opens a 15-minute session as the user: act claim, the user sees it listed, in the mail and in their security events', async () => {
    const user = await registerUser(platform, { verified: true });
    const before = Date.now();
    const imp = await started(user);
    const after = Date.now();
    expect(imp.user).toEqual({ id: user.id, email: user.email });
    const claims = claimsOf(imp.accessToken);
    expect(claims).toMatchObject({ sub: user.id, act: { sub: SUPPORT } });
    expect(claims.amr).toEqual([]);
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(15 * 60);
    // The user's own tokens carry no act.
    expect(claimsOf(user.accessToken).act).toBeUndefined();

    const [row] = await impersonationRows(user.id);
    expect(row).toMatchObject({ impersonated_by: SUPPORT, impersonation_reason: REASON });
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(FIFTEEN_MINUTES_MS);

    // The user sees it among their sessions while it lasts, with who and why.
    const listed = (await sessionsOf(user.accessToken)).find((s) => s.id === imp.sessionId);
    expect(listed).toMatchObject({
      current: false,
      impersonatedBy: SUPPORT,
      impersonationReason: REASON,
    });
    const ends = Date.parse(listed!.expiresAt);
    expect(ends).toBeGreaterThanOrEqual(before + FIFTEEN_MINUTES_MS - 1000);
    expect(ends).toBeLessThanOrEqual(after + FIFTEEN_MINUTES_MS + 1000);
    // The user's own sessions are not flagged.
    const own = (await sessionsOf(user.accessToken)).find((s) => s.current);
    expect(own).toMatchObject({ impersonatedBy: null, impersonationReason: null });

    const message = await mail.waitFor(user.email, /^Support is viewing your account$/);
    expect(message.text).toContain(REASON);
    expect(message.text).toContain(SUPPORT);
    expect(message.text).toContain(new Date(ends).toISOString().slice(0, 16));

    await eventually(async () => {
      expect(await securityEvents(user.accessToken)).toContainEqual(
        expect.objectContaining({
          actorId: SUPPORT,
          action: 'impersonation.started',
          targetType: 'user',
          targetId: user.id,
          metadata: expect.objectContaining({
            sessionId: imp.sessionId,
            reason: REASON,
            minutes: 15,
          }),
        }),
      );
    });
  });

  it('is read-only: every mutation of every subgraph and POST /ai/stream refused, queries answered, no credit spent, refusals in the audit trail', async () => {
    const user = await registerUser(platform, { verified: true });
    const imp = await started(user);
    const balance = async () => {
      const response = await gql<{ me: { credits: { balance: number } | null } }>(
        BALANCE,
        {},
        user.accessToken,
      );
      const account = response.body.data?.me.credits;
      if (!account) throw new Error(`no credit account yet: ${JSON.stringify(response.body)}`);
      return account.balance;
    };
    // The account (and its sign-up grant) arrives by event.
    const credits = await eventually(balance);

    for (const { subgraph, document } of MUTATIONS) {
      const response = await gql(document, {}, imp.accessToken);
      expect({ subgraph, document, data: response.body.data ?? null }).toEqual({
        subgraph,
        document,
        data: null,
      });
      expect({ document, code: codeOf(response), reason: reasonOf(response) }).toEqual({
        document,
        code: 'FORBIDDEN',
        reason: 'IMPERSONATION_READ_ONLY',
      });
    }
    // The same documents with the user's own token are not refused for impersonation (a control
    // user: some of them succeed, and logoutAll would sign out the user under test).
    const control = await registerUser(platform, { verified: true });
    for (const { document } of MUTATIONS) {
      const response = await gql(document, {}, control.accessToken);
      expect({ document, reason: reasonOf(response) ?? null }).toEqual({ document, reason: null });
    }

    for (const { subgraph, document } of QUERIES) {
      const response = await gql(document, {}, imp.accessToken);
      expect({ subgraph, document, errors: response.body.errors ?? [] }).toEqual({
        subgraph,
        document,
        errors: [],
      });
      expect(response.body.data).toBeTruthy();
    }

    const streamed = await fetch(new URL('/ai/stream', platform.gateway.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${imp.accessToken}`,
      },
      body: JSON.stringify({ model: 'development-model', prompt: 'spend my credits' }),
    });
    expect(streamed.status).toBe(403);
    const refusal = (await streamed.json()) as {
      errors: { extensions: Record<string, unknown> }[];
    };
    expect(refusal.errors[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'IMPERSONATION_READ_ONLY',
    });

    // Behind the gateway, ai refuses such claims itself (signed as a gateway would sign them).
    const body = { model: 'development-model', prompt: 'spend my credits' };
    const actorClaims = claimsOf(imp.accessToken);
    const viewer = userViewer(user.id, {
      sessionId: imp.sessionId,
      tokenId: actorClaims.jti as string,
      issuedAt: actorClaims.iat as number,
      amr: [],
      authTime: 0,
      actor: { sub: SUPPORT },
    });
    const direct = await fetch(new URL('/ai/stream', platform.subgraphs.ai!.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-bastion-claims': await signForwardedClaims(
          viewer,
          { ip: '127.0.0.1', userAgent: 'jest' },
          'ai',
          streamOperation(body),
          platform.deps.claimsKeys.keyFor('ai'),
        ),
      },
      body: JSON.stringify(body),
    });
    expect(direct.status).toBe(403);
    const directRefusal = (await direct.json()) as {
      errors: { extensions: Record<string, unknown> }[];
    };
    expect(directRefusal.errors[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      reason: 'IMPERSONATION_READ_ONLY',
    });

    expect(await balance()).toBe(credits);
    // Nothing the mutations would have changed did change.
    const me = await gql<{ me: { displayName: string | null } }>(
      '{ me { displayName } }',
      {},
      user.accessToken,
    );
    expect(me.body.data!.me.displayName).toBe('Test User');
    expect(await sessionsOf(user.accessToken)).toHaveLength(3); // registration, login, impersonation

    // The refusals are in the user's own log, naming the support actor.
    await eventually(async () => {
      expect(await securityEvents(user.accessToken)).toContainEqual(
        expect.objectContaining({
          // The first refusal of the window is always recorded (later ones are rate-limited).
          actorId: user.id,
          action: 'access.denied',
          targetId: 'auth:updateProfile',
          metadata: expect.objectContaining({ code: 'FORBIDDEN', impersonatedBy: SUPPORT }),
        }),
      );
    });
  });

  it('cannot be chained: neither an impersonation session nor a user token starts one; refreshing keeps act', async () => {
    const user = await registerUser(platform, { verified: true });
    const victim = await registerUser(platform, { verified: true });
    const imp = await started(user);

    // The internal listener takes service tokens only.
    for (const token of [imp.accessToken, user.accessToken]) {
      const refused = await start(victim.id, REASON, undefined, token);
      expect(refused.body.data ?? null).toBeNull();
      expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    }
    // Behind it, auth itself refuses both viewers (claims signed as a gateway would sign them).
    const viewer = userViewer(user.id, {
      sessionId: imp.sessionId,
      tokenId: claimsOf(imp.accessToken).jti as string,
      issuedAt: claimsOf(imp.accessToken).iat as number,
      amr: [],
      authTime: 0,
    });
    const asSubgraph = (v: UserViewer) =>
      platform.subgraph<Started>('auth', v, START, { u: victim.id, r: REASON });
    const impersonated = await asSubgraph({ ...viewer, actor: { sub: SUPPORT } });
    expect(impersonated.body.data ?? null).toBeNull();
    expect([codeOf(impersonated), reasonOf(impersonated)]).toEqual([
      'FORBIDDEN',
      'IMPERSONATION_READ_ONLY',
    ]);
    const plainUser = await asSubgraph(viewer);
    expect(plainUser.body.data ?? null).toBeNull();
    expect(codeOf(plainUser)).toBe('FORBIDDEN');
    expect(await impersonationRows(victim.id)).toEqual([]);

    // A refresh (support's, without the impersonated bearer) renews the token, never drops act.
    const refreshed = await gql<{ refreshToken: { accessToken: string } }>(REFRESH, {
      t: imp.refreshToken,
    });
    const renewed = refreshed.body.data!.refreshToken.accessToken;
    expect(claimsOf(renewed)).toMatchObject({
      sub: user.id,
      sid: imp.sessionId,
      act: { sub: SUPPORT },
    });
    expect(reasonOf(await gql('mutation { logoutAll }', {}, renewed))).toBe(
      'IMPERSONATION_READ_ONLY',
    );
    expect(await impersonationRows(user.id)).toHaveLength(1);
  });

  it('refuses bad input with a code and changes nothing: deleted or unknown user, reason, minutes, missing scope', async () => {
    const user = await registerUser(platform, { verified: true });
    const expectRefused = async (response: GraphQLResponse<Started>, code: string) => {
      expect(response.body.data ?? null).toBeNull();
      expect(codeOf(response)).toBe(code);
    };
    await expectRefused(await start(user.id, 'ab'), 'BAD_USER_INPUT');
    await expectRefused(await start(user.id, '   a   '), 'BAD_USER_INPUT');
    await expectRefused(await start(user.id, 'x'.repeat(501)), 'BAD_USER_INPUT');
    await expectRefused(await start(user.id, REASON, 16), 'BAD_USER_INPUT');
    await expectRefused(await start(user.id, REASON, 0), 'BAD_USER_INPUT');
    await expectRefused(await start(user.id, REASON, -5), 'BAD_USER_INPUT');
    await expectRefused(await start('00000000-0000-4000-8000-000000000000'), 'NOT_FOUND');
    await expectRefused(await start('not-a-user'), 'NOT_FOUND');
    await expectRefused(await start(user.id, REASON, undefined, withoutScope), 'FORBIDDEN');
    await expectRefused(
      await platform.internal<Started>(START, { u: user.id, r: REASON }),
      'UNAUTHENTICATED',
    );
    // Not on the public API at all.
    const publicly = await gql<Started>(START, { u: user.id, r: REASON }, support);
    expect(publicly.body.data ?? null).toBeNull();
    expect(await impersonationRows(user.id)).toEqual([]);
    expect(mail.to(user.email).filter((m) => /Support/.test(m.subject))).toEqual([]);

    // A deleted user: NOT_FOUND, as for one who never existed.
    const gone = await registerUser(platform, { verified: true });
    const deleted = await gql(
      'mutation ($p: String!) { deleteAccount(password: $p) }',
      { p: gone.password },
      gone.accessToken,
    );
    expect(deleted.body).toEqual({ data: { deleteAccount: true } });
    await expectRefused(await start(gone.id), 'NOT_FOUND');
    expect(await impersonationRows(gone.id)).toEqual([]);
    // 15 minutes exactly is allowed.
    expect((await start(user.id, REASON, 15)).body.data?.startImpersonation.user.id).toBe(user.id);
  });

  it('ends at once: endImpersonation (audited, repeatable) and the user revoking it from their sessions list', async () => {
    const user = await registerUser(platform, { verified: true });
    const imp = await started(user);
    expect((await gql('{ me { id } }', {}, imp.accessToken)).status).toBe(200);

    const ended = await platform.internal(END, { s: imp.sessionId }, { token: support });
    expect(ended.body).toEqual({ data: { endImpersonation: true } });
    expect((await gql('{ me { id } }', {}, imp.accessToken)).status).toBe(401);
    expect(codeOf(await gql(REFRESH, { t: imp.refreshToken }))).toBe('INVALID_TOKEN');
    expect((await sessionsOf(user.accessToken)).map((s) => s.id)).not.toContain(imp.sessionId);
    // Again: not an error. Another session of the user's: NOT_FOUND, and it keeps working.
    expect((await platform.internal(END, { s: imp.sessionId }, { token: support })).body).toEqual({
      data: { endImpersonation: true },
    });
    const own = claimsOf(user.accessToken).sid as string;
    expect(codeOf(await platform.internal(END, { s: own }, { token: support }))).toBe('NOT_FOUND');
    expect(codeOf(await platform.internal(END, { s: 'nope' }, { token: support }))).toBe(
      'NOT_FOUND',
    );
    expect(
      codeOf(await platform.internal(END, { s: imp.sessionId }, { token: withoutScope })),
    ).toBe('FORBIDDEN');
    expect((await gql('{ me { id } }', {}, user.accessToken)).status).toBe(200);
    await eventually(async () => {
      expect(await securityEvents(user.accessToken)).toContainEqual(
        expect.objectContaining({
          actorId: SUPPORT,
          action: 'impersonation.ended',
          targetId: user.id,
          metadata: expect.objectContaining({ sessionId: imp.sessionId }),
        }),
      );
    });

    // The user ends the next one themself, from their sessions list.
    const second = await started(user);
    const listed = (await sessionsOf(user.accessToken)).find((s) => s.impersonatedBy === SUPPORT);
    expect(listed?.id).toBe(second.sessionId);
    expect((await gql(REVOKE, { id: second.sessionId }, user.accessToken)).body).toEqual({
      data: { revokeSession: true },
    });
    expect((await gql('{ me { id } }', {}, second.accessToken)).status).toBe(401);
    expect(codeOf(await gql(REFRESH, { t: second.refreshToken }))).toBe('INVALID_TOKEN');
  });

  it('runs out after its minutes: shorter tokens, and 15 minutes later nothing of it works or is listed', async () => {
    const user = await registerUser(platform, { verified: true });
    const short = await started(user, 2);
    const claims = claimsOf(short.accessToken);
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(120);
    expect(short.expiresIn).toBeLessThanOrEqual(120);

    const imp = await started(user);
    expect((await gql('{ me { id } }', {}, imp.accessToken)).status).toBe(200);
    // The clock moved past the end (Date only: timers and I/O run as usual).
    jest.useFakeTimers({
      doNotFake: [
        'nextTick',
        'setImmediate',
        'setTimeout',
        'setInterval',
        'clearTimeout',
        'clearInterval',
        'queueMicrotask',
        'performance',
        'hrtime',
      ],
      now: Date.now() + FIFTEEN_MINUTES_MS + 5_000,
    });
    try {
      expect((await gql('{ me { id } }', {}, imp.accessToken)).status).toBe(401);
      expect(codeOf(await gql(REFRESH, { t: imp.refreshToken }))).toBe('INVALID_TOKEN');
      const again = await gql<{ login: { accessToken: string } }>(LOGIN, {
        e: user.email,
        p: user.password,
      });
      const sessions = await sessionsOf(again.body.data!.login.accessToken);
      expect(sessions.filter((s) => s.impersonatedBy !== null)).toEqual([]);
    } finally {
      jest.useRealTimers();
    }
  });
});
