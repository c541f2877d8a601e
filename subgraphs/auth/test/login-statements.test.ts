import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  TEST_JWT_SECRET,
  isRelayStatement,
  loadJose,
  registerUser,
  startTestPlatform,
  statementsOf,
  type TestPlatform,
} from '@bastion/testing';

const LOGIN = `mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken user { id } } }`;

/**
 * The statements of one password sign-in for a user without a second factor, written down from
 * the design (docs/performance.md "Statements per login"), not from a run:
 * 1. the SSO check: is the email's domain a verified SSO domain (password sign-in refused there);
 * 2. the user by email (its argon2 hash);
 * 3. after the hash verified, one statement that re-reads the user's flags and, unless a second
 *    factor appeared, inserts the session, its first refresh token and the audit event's outbox
 *    row (atomic on its own: no START TRANSACTION / COMMIT).
 * The outbox relay then claims the event and marks it published, off the request. The relay
 * also polls on a timer, so an empty claim may land anywhere in the list: relay statements are
 * told apart by their text and counted on their own.
 */
const EXPECTED_REQUEST = [
  /^SELECT .* FROM "[a-z0-9_]+"\."sso_domains" .*WHERE "d"\."domain" = \$1/,
  /^SELECT .* FROM "[a-z0-9_]+"\."users" "UserEntity" WHERE \(\("UserEntity"\."email" = \$1\)\)/,
  /^WITH u AS \( SELECT mfa_enabled, email_verified_at FROM \S+\.users WHERE id = \$1 \), opened AS \( INSERT INTO \S+\.sessions .* token AS \( INSERT INTO \S+\.refresh_tokens .* audited AS \( INSERT INTO \S+\.outbox /,
];
const EXPECTED_RELAY = [
  /^UPDATE \S+\.outbox SET claimed_until = .* RETURNING id, type, data, occurred_at$/,
  /^UPDATE \S+\.outbox SET published_at = now\(\), claimed_until = NULL WHERE id = ANY\(\$1\)$/,
];

describe('password sign-in: statements per login', () => {
  let platform: TestPlatform;

  beforeAll(async () => {
    platform = await startTestPlatform();
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('sends the hand-counted statements, and its token verifies with jose and the gateway', async () => {
    const user = await registerUser(platform);
    await platform.auth.relay.idle();
    let token = '';
    const seen = await statementsOf(platform.auth.dataSource, async () => {
      const response = await platform.gql<{ login: { accessToken: string; user: { id: string } } }>(
        LOGIN,
        { e: user.email, p: user.password },
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.login.user.id).toBe(user.id);
      token = response.body.data!.login.accessToken;
      await platform.auth.relay.idle();
    });
    const request = seen.filter((statement) => !isRelayStatement(statement));
    expect(request).toHaveLength(EXPECTED_REQUEST.length);
    request.forEach((statement, index) => expect(statement).toMatch(EXPECTED_REQUEST[index]));
    // Every relay statement is a claim or the one mark of the login's single event; a timer poll
    // adds claims that found nothing, never another mark.
    const relay = seen.filter(isRelayStatement);
    const [claim, mark] = EXPECTED_RELAY;
    expect(relay.filter((statement) => mark.test(statement))).toHaveLength(1);
    expect(relay.filter((statement) => claim.test(statement)).length).toBeGreaterThanOrEqual(1);
    expect(relay.every((statement) => claim.test(statement) || mark.test(statement))).toBe(true);

    // The session, its refresh token and the audit event all committed.
    const s = schemaOf(platform.auth.dataSource);
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    const [session] = await platform.auth.dataSource.query(
      `SELECT user_id, amr, auth_time IS NOT NULL AS authed,
              (SELECT count(*)::int FROM ${s}.refresh_tokens WHERE session_id = $1) AS tokens
         FROM ${s}.sessions WHERE id = $1`,
      [payload.sid],
    );
    expect(session).toEqual({ user_id: user.id, amr: ['pwd'], authed: true, tokens: 1 });
    const [audit] = await platform.auth.dataSource.query(
      `SELECT data->>'action' AS action, published_at IS NOT NULL AS published FROM ${s}.outbox
        WHERE type = 'AUDIT_RECORDED' AND data->>'actorId' = $1 ORDER BY occurred_at DESC LIMIT 1`,
      [user.id],
    );
    expect(audit).toEqual({ action: 'user.login', published: true });

    // An independent verifier (jose, with the test platform's HS256 secret) and the gateway agree.
    const { jwtVerify } = await loadJose();
    const verified = await jwtVerify(token, Buffer.from(TEST_JWT_SECRET), {
      algorithms: ['HS256'],
      issuer: 'bastion',
      audience: 'bastion-api',
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
    });
    expect(verified.payload).toMatchObject({ sub: user.id, amr: ['pwd'], mfa_enrolled: false });
    const me = await platform.gql('{ me { id } }', {}, { token });
    expect(me.body).toEqual({ data: { me: { id: user.id } } });
  });
});
