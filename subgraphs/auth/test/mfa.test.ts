import { Secret, TOTP } from 'otpauth';
import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startOidcProvider,
  startSmtpCapture,
  startTestPlatform,
  type GraphQLResponse,
  type SmtpCapture,
  type TestOidcProvider,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { afterCommit } from '../src/mfa/after-commit';
import { claimsOf, outboxEvents } from './mail-flows';
import { REDIRECT_URI, account, oauthClient } from './oauth-flow';

const ENROLL = 'mutation ($n: String) { enrollTotp(name: $n) { factorId secret uri } }';
const CONFIRM =
  'mutation ($id: ID!, $c: String!) { confirmTotp(factorId: $id, code: $c) { factor { id kind name } recoveryCodes } }';
const LOGIN =
  'mutation ($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken user { id } } }';
const VERIFY = `mutation ($t: String!, $c: String, $r: String, $p: String) {
  verifyMfa(mfaToken: $t, code: $c, recoveryCode: $r, passkeyResponse: $p) { accessToken refreshToken user { id } }
}`;
const STEP_UP =
  'mutation ($pw: String, $c: String, $p: String) { stepUp(password: $pw, code: $c, passkeyResponse: $p) { accessToken refreshToken } }';
const REFRESH =
  'mutation ($t: String) { refreshToken(refreshToken: $t) { accessToken refreshToken } }';
const ME = '{ me { id mfaEnabled recoveryCodesRemaining mfaFactors { id kind name } } }';
const REMOVE = 'mutation ($id: ID!) { removeMfaFactor(id: $id) }';
const REGENERATE = 'mutation { regenerateRecoveryCodes }';
const RESET = 'mutation ($u: ID!, $r: String!) { resetUserMfa(userId: $u, reason: $r) }';
const MFA_PASSKEY_OPTIONS = 'mutation ($t: String!) { mfaPasskeyOptions(mfaToken: $t) }';

type Tokens = { accessToken: string; refreshToken: string | null; user?: { id: string } };
type Me = {
  me: {
    id: string;
    mfaEnabled: boolean;
    recoveryCodesRemaining: number;
    mfaFactors: { id: string; kind: string; name: string }[];
  };
};
type Totp = { factorId: string; secret: string; recoveryCodes: string[] | null };

const errorOf = (response: GraphQLResponse<unknown>) => response.body.errors?.[0];
const codeOf = (response: GraphQLResponse<unknown>) => errorOf(response)?.extensions?.code;
const UA = { 'user-agent': 'mfa-test-browser/1.0' };

describe('MFA: TOTP, recovery codes, the sign-in state machine and step-up', () => {
  let platform: TestPlatform;
  let provider: TestOidcProvider;
  let mail: SmtpCapture;
  let oauth: ReturnType<typeof oauthClient>;
  /** The authenticator app's clock and the server's (TotpFactors.clock): moved, never waited for. */
  let now = Date.now();

  beforeAll(async () => {
    provider = await startOidcProvider([REDIRECT_URI]);
    mail = await startSmtpCapture();
    platform = await startTestPlatform({
      SMTP_URL: mail.url,
      APP_URL: 'https://app.example.test',
      OAUTH_REDIRECT_URIS: REDIRECT_URI,
      // Many sign-ins from one address in this file; the per-IP limit has tests of its own.
      RATE_LIMIT_AUTH_PER_IP: '100000',
      OIDC_ISSUER_URL: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
    });
    platform.auth.services.totp.clock = () => now;
    oauth = oauthClient(platform, provider);
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await provider?.stop();
    await mail?.close();
  }, PLATFORM_SETUP_MS);

  const schema = () => schemaOf(platform.auth.dataSource);
  /** The next 30-second step: a new code, as an app shows it half a minute later. */
  const tick = () => {
    now += 30_000;
  };
  /** What an authenticator app (otpauth, configured from the base32 secret) shows now. */
  const appCode = (secret: string, at = now) =>
    TOTP.generate({
      secret: Secret.fromBase32(secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
      timestamp: at,
    });
  const gql = <T>(query: string, variables: Record<string, unknown>, token?: string) =>
    platform.gql<T>(query, variables, { token, headers: UA });

  async function enrollTotp(token: string, name?: string): Promise<Totp> {
    const enrolled = await gql<{ enrollTotp: { factorId: string; secret: string } }>(
      ENROLL,
      { n: name },
      token,
    );
    const { factorId, secret } = enrolled.body.data!.enrollTotp;
    const confirmed = await gql<{ confirmTotp: { recoveryCodes: string[] | null } }>(
      CONFIRM,
      { id: factorId, c: appCode(secret) },
      token,
    );
    if (!confirmed.body.data) throw new Error(JSON.stringify(confirmed.body));
    tick();
    return { factorId, secret, recoveryCodes: confirmed.body.data.confirmTotp.recoveryCodes };
  }

  /** A registered user with a confirmed TOTP factor; `session` is their registration session (amr pwd). */
  async function userWithTotp(options: { verified?: boolean } = {}) {
    const user = await registerUser(platform, options);
    const totp = await enrollTotp(user.accessToken);
    return { user, totp };
  }

  /** The mfaToken of a password sign-in that answered MFA_REQUIRED. */
  async function passwordStep(user: TestUser, headers = UA): Promise<string> {
    const response = await platform.gql(LOGIN, { e: user.email, p: user.password }, { headers });
    expect(codeOf(response)).toBe('MFA_REQUIRED');
    return errorOf(response)!.extensions!.mfaToken as string;
  }

  const verify = (
    mfaToken: string,
    answer: { c?: string; r?: string; p?: string },
    headers: Record<string, string> = UA,
  ) => platform.gql<{ verifyMfa: Tokens }>(VERIFY, { t: mfaToken, ...answer }, { headers });

  const liveSessions = async (userId: string): Promise<number> => {
    const rows = await platform.auth.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema()}.sessions WHERE user_id = $1 AND revoked_at IS NULL`,
      [userId],
    );
    return rows[0].n;
  };

  describe('enrolment', () => {
    it('gives a base32 secret and an otpauth:// URI, seals the secret at rest, and confirms with a first code', async () => {
      const user = await registerUser(platform);
      const enrolled = await gql<{ enrollTotp: { factorId: string; secret: string; uri: string } }>(
        ENROLL,
        {},
        user.accessToken,
      );
      const { factorId, secret, uri } = enrolled.body.data!.enrollTotp;
      expect(secret).toMatch(/^[A-Z2-7]{32}$/); // 20 bytes
      const url = new URL(uri);
      expect(url.protocol).toBe('otpauth:');
      expect(decodeURIComponent(url.pathname)).toBe(`/Bastion:${user.email}`);
      expect(url.searchParams.get('secret')).toBe(secret);
      expect(url.searchParams.get('issuer')).toBe('Bastion');
      const [row] = await platform.auth.dataSource.query(
        `SELECT totp_secret, confirmed_at FROM ${schema()}.mfa_factors WHERE id = $1`,
        [factorId],
      );
      const raw = Buffer.from(Secret.fromBase32(secret).bytes);
      expect(row.confirmed_at).toBeNull();
      expect(row.totp_secret[0]).toBe(1); // the key version
      expect((row.totp_secret as Buffer).includes(raw)).toBe(false);
      expect((row.totp_secret as Buffer).toString('latin1')).not.toContain(secret);

      // Not a factor until confirmed: a password still signs in.
      expect(codeOf(await gql(LOGIN, { e: user.email, p: user.password }))).toBeUndefined();
      const wrong = await gql(
        CONFIRM,
        { id: factorId, c: appCode(secret, now - 5 * 60_000) },
        user.accessToken,
      );
      expect(codeOf(wrong)).toBe('INVALID_CREDENTIALS');
      const right = await gql<{
        confirmTotp: {
          factor: { id: string; kind: string; name: string };
          recoveryCodes: string[];
        };
      }>(CONFIRM, { id: factorId, c: appCode(secret) }, user.accessToken);
      expect(right.body.errors).toBeUndefined();
      const confirmation = right.body.data!.confirmTotp;
      expect(confirmation.factor).toEqual({
        id: factorId,
        kind: 'TOTP',
        name: 'Authenticator app',
      });
      expect(confirmation.recoveryCodes).toHaveLength(10);
      for (const code of confirmation.recoveryCodes)
        expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
      expect(new Set(confirmation.recoveryCodes).size).toBe(10);
      const stored = JSON.stringify(
        await platform.auth.dataSource.query(
          `SELECT code_hash FROM ${schema()}.recovery_codes WHERE user_id = $1`,
          [user.id],
        ),
      );
      for (const code of confirmation.recoveryCodes) {
        expect(stored).not.toContain(code);
        expect(stored).not.toContain(code.replace('-', ''));
      }
      tick();

      const me = await gql<Me>(ME, {}, user.accessToken);
      expect(me.body.data!.me).toMatchObject({ mfaEnabled: true, recoveryCodesRemaining: 10 });
      expect(await outboxEvents(platform, user.id, 'MFA_FACTOR_ADDED')).toEqual([
        { userId: user.id, factorId, kind: 'TOTP' },
      ]);
      await mail.waitFor(user.email, /^A second factor was added to your account$/);

      // A second factor keeps the recovery codes.
      const second = await enrollTotp(user.accessToken, 'Backup phone');
      expect(second.recoveryCodes).toBeNull();
      expect((await gql<Me>(ME, {}, user.accessToken)).body.data!.me.recoveryCodesRemaining).toBe(
        10,
      );
    });

    it('does not change the session it was enrolled from: its amr stays a password', async () => {
      const { user } = await userWithTotp();
      const refreshed = await gql<{ refreshToken: Tokens }>(REFRESH, { t: user.refreshToken });
      const claims = claimsOf(refreshed.body.data!.refreshToken.accessToken);
      expect(claims).toMatchObject({ amr: ['pwd'], mfa_enrolled: true });
    });
  });

  describe('which sign-in ends where (a hand-written table)', () => {
    // First factor x enrolled second factors -> outcome. Passkey rows come with the passkeys module.
    const TABLE: [
      path: 'login' | 'oauthLogin',
      factors: 'none' | 'TOTP',
      outcome: string,
      amr: string[] | null,
    ][] = [
      ['login', 'none', 'session', ['pwd']],
      ['login', 'TOTP', 'MFA_REQUIRED', null],
      ['oauthLogin', 'none', 'session', ['fed']],
      ['oauthLogin', 'TOTP', 'MFA_REQUIRED', null],
    ];

    it.each(TABLE)('%s with factors %s -> %s', async (path, factors, outcome, amr) => {
      let signIn: () => Promise<GraphQLResponse<Record<string, Tokens>>>;
      let userId: string;
      let secret: string | undefined;
      if (path === 'login') {
        const user = await registerUser(platform);
        userId = user.id;
        if (factors === 'TOTP') secret = (await enrollTotp(user.accessToken)).secret;
        signIn = () => gql(LOGIN, { e: user.email, p: user.password });
      } else {
        const who = account();
        const first = await oauth.signIn('oidc', who);
        userId = first.user.id;
        if (factors === 'TOTP') secret = (await enrollTotp(first.accessToken)).secret;
        signIn = async () => oauth.login('oidc', await oauth.callback('oidc', who)) as never;
      }
      const before = await liveSessions(userId);
      const response = await signIn();
      if (outcome === 'session') {
        expect(response.body.errors).toBeUndefined();
        const tokens = Object.values(response.body.data!)[0];
        expect(claimsOf(tokens.accessToken)).toMatchObject({ sub: userId, amr });
        expect(await liveSessions(userId)).toBe(before + 1);
        return;
      }
      expect(codeOf(response)).toBe('MFA_REQUIRED');
      expect(response.body.data ?? null).toBeNull();
      expect(errorOf(response)!.extensions).toEqual({
        code: 'MFA_REQUIRED',
        mfaToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        factors: ['TOTP', 'RECOVERY_CODE'],
        expiresIn: 300,
      });
      expect(await liveSessions(userId)).toBe(before);
      const [challenge] = await platform.auth.dataSource.query(
        `SELECT token_hash FROM ${schema()}.mfa_challenges WHERE user_id = $1`,
        [userId],
      );
      expect(challenge.token_hash).not.toBe(errorOf(response)!.extensions!.mfaToken);
      // The second step finishes it, whatever the first factor was, from the same client (the
      // oauth helper sends fetch's own user agent, the password sign-in this file's).
      const done = await verify(
        errorOf(response)!.extensions!.mfaToken as string,
        { c: appCode(secret!) },
        path === 'login' ? UA : {},
      );
      tick();
      expect(claimsOf(done.body.data!.verifyMfa.accessToken)).toMatchObject({
        sub: userId,
        amr: [path === 'login' ? 'pwd' : 'fed', 'otp', 'mfa'],
      });
      expect(await liveSessions(userId)).toBe(before + 1);
    });
  });

  describe('verifyMfa', () => {
    it('finishes a password sign-in with a code: amr pwd, otp, mfa; the token and the code work once', async () => {
      const { user, totp } = await userWithTotp();
      const mfaToken = await passwordStep(user);
      const code = appCode(totp.secret);
      const done = await verify(mfaToken, { c: code });
      expect(done.body.errors).toBeUndefined();
      const claims = claimsOf(done.body.data!.verifyMfa.accessToken);
      expect(claims).toMatchObject({
        sub: user.id,
        amr: ['pwd', 'otp', 'mfa'],
        mfa_enrolled: true,
      });
      expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(60);
      // The same token again: used.
      expect(codeOf(await verify(mfaToken, { c: appCode(totp.secret) }))).toBe('INVALID_TOKEN');
      // The same code on a new sign-in: replayed.
      const again = await passwordStep(user);
      const sessions = await liveSessions(user.id);
      expect(codeOf(await verify(again, { c: code }))).toBe('INVALID_CREDENTIALS');
      expect(await liveSessions(user.id)).toBe(sessions);
      // A code of a step already passed (even within the drift) is refused too: the last used step is stored.
      expect(codeOf(await verify(again, { c: appCode(totp.secret, now - 30_000) }))).toBe(
        'INVALID_CREDENTIALS',
      );
      tick();
      expect(codeOf(await verify(again, { c: appCode(totp.secret) }))).toBeUndefined();
    });

    it('accepts one step of drift and refuses an expired code', async () => {
      const { user, totp } = await userWithTotp();
      const mfaToken = await passwordStep(user);
      expect(codeOf(await verify(mfaToken, { c: appCode(totp.secret, now - 60_000) }))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(codeOf(await verify(mfaToken, { c: appCode(totp.secret, now + 60_000) }))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(
        codeOf(await verify(mfaToken, { c: appCode(totp.secret, now + 30_000) })),
      ).toBeUndefined();
      tick();
      tick();
    });

    it('refuses an expired mfaToken, one from another client, and a code of another user', async () => {
      const { user, totp } = await userWithTotp();
      const other = await userWithTotp();
      const expired = await passwordStep(user);
      await platform.auth.dataSource.query(
        `UPDATE ${schema()}.mfa_challenges SET expires_at = now() - interval '1 second' WHERE user_id = $1`,
        [user.id],
      );
      expect(codeOf(await verify(expired, { c: appCode(totp.secret) }))).toBe('INVALID_TOKEN');

      const elsewhere = await passwordStep(user);
      const otherBrowser = { 'user-agent': 'someone-else/2.0' };
      expect(codeOf(await verify(elsewhere, { c: appCode(totp.secret) }, otherBrowser))).toBe(
        'INVALID_TOKEN',
      );
      // Another user's right code does not finish this user's sign-in, nor theirs.
      const sessionsOfOther = await liveSessions(other.user.id);
      expect(codeOf(await verify(elsewhere, { c: appCode(other.totp.secret) }))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect(await liveSessions(other.user.id)).toBe(sessionsOfOther);
      // A made-up token.
      expect(codeOf(await verify('x'.repeat(43), { c: appCode(totp.secret) }))).toBe(
        'INVALID_TOKEN',
      );
      // The right client and code still finish it: nothing above spent the code.
      const done = await verify(elsewhere, { c: appCode(totp.secret) });
      expect(claimsOf(done.body.data!.verifyMfa.accessToken).sub).toBe(user.id);
      tick();
    });

    it('takes exactly one answer, and answers a malformed passkey response BAD_USER_INPUT', async () => {
      const { user, totp } = await userWithTotp();
      const mfaToken = await passwordStep(user);
      expect(codeOf(await verify(mfaToken, {}))).toBe('BAD_USER_INPUT');
      expect(
        codeOf(await verify(mfaToken, { c: appCode(totp.secret), r: totp.recoveryCodes![0] })),
      ).toBe('BAD_USER_INPUT');
      const passkey = await verify(mfaToken, { p: '{}' });
      expect(codeOf(passkey)).toBe('BAD_USER_INPUT');
      // Passkeys are wired (subgraphs/auth/test/passkeys.test.ts signs in with them): options for
      // this sign-in are given even to a user without one (an empty allow list).
      const options = await platform.gql<{ mfaPasskeyOptions: string }>(
        MFA_PASSKEY_OPTIONS,
        { t: mfaToken },
        { headers: UA },
      );
      expect(JSON.parse(options.body.data!.mfaPasskeyOptions).allowCredentials).toEqual([]);
      // None of it counted against the token.
      expect(codeOf(await verify(mfaToken, { c: appCode(totp.secret) }))).toBeUndefined();
      tick();
    });

    it('voids a token after five wrong answers', async () => {
      const { user, totp } = await userWithTotp();
      const mfaToken = await passwordStep(user);
      for (let i = 0; i < 5; i++)
        expect(codeOf(await verify(mfaToken, { c: '000000' }))).toBe('INVALID_CREDENTIALS');
      expect(codeOf(await verify(mfaToken, { c: appCode(totp.secret) }))).toBe('INVALID_TOKEN');
    });

    it('locks the account after repeated wrong codes: then even the right code and password are RATE_LIMITED', async () => {
      const { user, totp } = await userWithTotp();
      // Ten failures is the per-email limit; a token takes five, so two sign-ins' worth of guesses.
      const first = await passwordStep(user);
      const second = await passwordStep(user);
      const spare = await passwordStep(user);
      for (const mfaToken of [first, second])
        for (let i = 0; i < 5; i++)
          expect(codeOf(await verify(mfaToken, { c: `99999${i}` }))).toBe('INVALID_CREDENTIALS');
      const sessions = await liveSessions(user.id);
      // The right code on a token issued before the lockout, the right password, a step-up: all refused.
      const right = await verify(spare, { c: appCode(totp.secret) });
      expect(codeOf(right)).toBe('RATE_LIMITED');
      expect(errorOf(right)!.extensions!.retryAfter as number).toBeGreaterThan(0);
      expect(codeOf(await gql(LOGIN, { e: user.email, p: user.password }))).toBe('RATE_LIMITED');
      expect(codeOf(await gql(STEP_UP, { c: appCode(totp.secret) }, user.accessToken))).toBe(
        'RATE_LIMITED',
      );
      expect(await liveSessions(user.id)).toBe(sessions);
      // The refusals spent nothing: the token and the code are still unused.
      const [row] = await platform.auth.dataSource.query(
        `SELECT count(*)::int AS n FROM ${schema()}.mfa_challenges WHERE user_id = $1 AND used_at IS NULL AND attempts = 0`,
        [user.id],
      );
      expect(row.n).toBe(1);
    });
  });

  describe('per-address limit', () => {
    it('counts every second-factor answer (verifyMfa, stepUp) from an address, as it counts a password', async () => {
      const { user } = await userWithTotp();
      const mfaToken = await passwordStep(user);
      const counted = jest.spyOn(platform.auth.services.limits, 'countAttempt');
      try {
        expect(codeOf(await verify(mfaToken, { c: '000000' }))).toBe('INVALID_CREDENTIALS');
        expect(codeOf(await verify(mfaToken, { r: 'aaaaa-aaaaa' }))).toBe('INVALID_CREDENTIALS');
        expect(codeOf(await gql(STEP_UP, { c: '000000' }, user.accessToken))).toBe(
          'INVALID_CREDENTIALS',
        );
        expect(counted.mock.calls.map(([kind]) => kind)).toEqual(['login', 'login', 'login']);
      } finally {
        counted.mockRestore();
      }
    });
  });

  describe('recovery codes', () => {
    it('sign in once each (amr pwd, rcv: no mfa), are mailed about, and regenerating voids the old set', async () => {
      const { user, totp } = await userWithTotp({ verified: true });
      const [first, second] = totp.recoveryCodes!;
      const mfaToken = await passwordStep(user);
      // Typed by a person: upper case, spaces.
      const done = await verify(mfaToken, { r: ` ${first.toUpperCase()} ` });
      expect(done.body.errors).toBeUndefined();
      const tokens = done.body.data!.verifyMfa;
      expect(claimsOf(tokens.accessToken)).toMatchObject({ sub: user.id, amr: ['pwd', 'rcv'] });
      const notice = await mail.waitFor(user.email, /^A recovery code was used to sign in$/);
      expect(notice.text).toContain('9 unused codes remain');
      expect(await outboxEvents(platform, user.id, 'MFA_RECOVERY_CODE_USED')).toEqual([
        { userId: user.id, remaining: 9 },
      ]);
      // Used once only.
      expect(codeOf(await verify(await passwordStep(user), { r: first }))).toBe(
        'INVALID_CREDENTIALS',
      );
      expect((await gql<Me>(ME, {}, tokens.accessToken)).body.data!.me.recoveryCodesRemaining).toBe(
        9,
      );

      // A recovery-code session is not a multi-factor one: regenerating asks for a step-up first.
      const refused = await gql(REGENERATE, {}, tokens.accessToken);
      expect(codeOf(refused)).toBe('STEP_UP_REQUIRED');
      const stepped = await gql<{ stepUp: Tokens }>(
        STEP_UP,
        { c: appCode(totp.secret) },
        tokens.accessToken,
      );
      expect(stepped.body.data!.stepUp.refreshToken).toBeNull();
      tick();
      const fresh = stepped.body.data!.stepUp.accessToken;
      const regenerated = await gql<{ regenerateRecoveryCodes: string[] }>(REGENERATE, {}, fresh);
      expect(regenerated.body.data!.regenerateRecoveryCodes).toHaveLength(10);
      await mail.waitFor(user.email, /^New recovery codes were generated$/);
      expect(codeOf(await verify(await passwordStep(user), { r: second }))).toBe(
        'INVALID_CREDENTIALS',
      );
      const newCode = regenerated.body.data!.regenerateRecoveryCodes[0];
      expect(codeOf(await verify(await passwordStep(user), { r: newCode }))).toBeUndefined();
    });
  });

  describe('step-up', () => {
    const NEW_PASSWORD = 'a brand new passphrase 42';
    // The fields the issue lists for auth, with arguments that succeed once the session is fresh enough.
    const FIELDS: [
      name: string,
      query: string,
      variables: (u: TestUser, f: Totp) => Record<string, unknown>,
    ][] = [
      [
        'changePassword',
        'mutation ($cur: String!, $pw: String!) { changePassword(currentPassword: $cur, newPassword: $pw) }',
        (u) => ({ cur: u.password, pw: NEW_PASSWORD }),
      ],
      [
        'changeEmail',
        'mutation ($e: String!, $pw: String!) { changeEmail(newEmail: $e, password: $pw) }',
        (u) => ({ e: `moved-${u.email}`, pw: u.password }),
      ],
      [
        'deleteAccount',
        'mutation ($pw: String!) { deleteAccount(password: $pw) }',
        (u) => ({ pw: u.password }),
      ],
      ['removeMfaFactor', REMOVE, (_, f) => ({ id: f.factorId })],
      ['regenerateRecoveryCodes', REGENERATE, () => ({})],
    ];

    it.each(FIELDS)(
      '%s: a user with a factor whose session used only a password must step up with the factor',
      async (field, query, variables) => {
        const { user, totp } = await userWithTotp({ verified: true });
        // The registration session (amr pwd), refreshed so its token knows a factor is enrolled.
        const refreshed = await gql<{ refreshToken: Tokens }>(REFRESH, { t: user.refreshToken });
        const token = refreshed.body.data!.refreshToken.accessToken;
        const refused = await gql(query, variables(user, totp), token);
        expect(codeOf(refused)).toBe('STEP_UP_REQUIRED');
        expect(errorOf(refused)!.extensions).toMatchObject({
          maxAge: 600,
          methods: ['TOTP', 'PASSKEY'],
        });
        // The password is no step-up for a user with a factor; a wrong code is INVALID_CREDENTIALS.
        expect(codeOf(await gql(STEP_UP, { pw: user.password }, token))).toBe('BAD_USER_INPUT');
        expect(codeOf(await gql(STEP_UP, { c: '000000' }, token))).toBe('INVALID_CREDENTIALS');
        const stepped = await gql<{ stepUp: Tokens }>(STEP_UP, { c: appCode(totp.secret) }, token);
        tick();
        expect(stepped.body.errors).toBeUndefined();
        const claims = claimsOf(stepped.body.data!.stepUp.accessToken);
        expect(claims).toMatchObject({ amr: ['pwd', 'otp', 'mfa'], sid: claimsOf(token).sid });
        const done = await gql<Record<string, unknown>>(
          query,
          variables(user, totp),
          stepped.body.data!.stepUp.accessToken,
        );
        expect(done.body.errors).toBeUndefined();
        expect(done.body.data![field]).toBeTruthy();
        // Refreshing keeps what the session proved.
        if (field !== 'deleteAccount' && field !== 'changePassword') {
          const later = await gql<{ refreshToken: Tokens }>(REFRESH, {
            t: refreshed.body.data!.refreshToken.refreshToken,
          });
          expect(claimsOf(later.body.data!.refreshToken.accessToken).amr).toEqual([
            'pwd',
            'otp',
            'mfa',
          ]);
        }
      },
    );

    it.each(FIELDS.slice(0, 3))(
      '%s: a user without a factor whose sign-in is older than ten minutes steps up with the password',
      async (field, query, variables) => {
        const user = await registerUser(platform, { verified: true });
        await platform.auth.dataSource.query(
          `UPDATE ${schema()}.sessions SET auth_time = now() - interval '11 minutes' WHERE user_id = $1`,
          [user.id],
        );
        const refreshed = await gql<{ refreshToken: Tokens }>(REFRESH, { t: user.refreshToken });
        const token = refreshed.body.data!.refreshToken.accessToken;
        const refused = await gql(query, variables(user, {} as Totp), token);
        expect(codeOf(refused)).toBe('STEP_UP_REQUIRED');
        expect(errorOf(refused)!.extensions).toMatchObject({
          maxAge: 600,
          methods: ['PASSWORD', 'PASSKEY'],
        });
        expect(codeOf(await gql(STEP_UP, { pw: 'not the password' }, token))).toBe(
          'INVALID_CREDENTIALS',
        );
        expect(codeOf(await gql(STEP_UP, { c: '123456' }, token))).toBe('BAD_USER_INPUT');
        const stepped = await gql<{ stepUp: Tokens }>(STEP_UP, { pw: user.password }, token);
        expect(stepped.body.errors).toBeUndefined();
        const claims = claimsOf(stepped.body.data!.stepUp.accessToken);
        expect(claims.amr).toEqual(['pwd']);
        expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(60);
        const done = await gql<Record<string, unknown>>(
          query,
          variables(user, {} as Totp),
          stepped.body.data!.stepUp.accessToken,
        );
        expect(done.body.errors).toBeUndefined();
        expect(done.body.data![field]).toBe(true);
      },
    );
  });

  describe('mail after commit', () => {
    it('runs queued work when the transaction commits, never when it rolls back', async () => {
      const ran: string[] = [];
      await platform.auth.dataSource.transaction(async (manager) => {
        afterCommit(manager, () => ran.push('committed'));
        await manager.transaction(async (inner) => afterCommit(inner, () => ran.push('inner')));
        // A savepoint released is not the commit.
        expect(ran).toEqual([]);
      });
      expect(ran).toEqual(['committed', 'inner']);
      await expect(
        platform.auth.dataSource.transaction(async (manager) => {
          afterCommit(manager, () => ran.push('rolled back'));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await platform.auth.dataSource.transaction(async () => undefined);
      expect(ran).toEqual(['committed', 'inner']);
    });
  });

  describe('removing factors and support reset', () => {
    it('"lost phone": recovery code sign-in, enrol a new app, step up with it, remove the old one', async () => {
      const { user, totp: old } = await userWithTotp();
      const mfaToken = await passwordStep(user);
      const rescued = await verify(mfaToken, { r: old.recoveryCodes![3] });
      const token = rescued.body.data!.verifyMfa.accessToken;
      expect(claimsOf(token).amr).toEqual(['pwd', 'rcv']);
      const replacement = await enrollTotp(token, 'New phone');
      expect(replacement.recoveryCodes).toBeNull();
      expect(codeOf(await gql(REMOVE, { id: old.factorId }, token))).toBe('STEP_UP_REQUIRED');
      const stepped = await gql<{ stepUp: Tokens }>(
        STEP_UP,
        { c: appCode(replacement.secret) },
        token,
      );
      tick();
      const fresh = stepped.body.data!.stepUp.accessToken;
      expect(claimsOf(fresh).amr).toEqual(['pwd', 'rcv', 'otp', 'mfa']);
      const removed = await gql(REMOVE, { id: old.factorId }, fresh);
      expect(removed.body).toEqual({ data: { removeMfaFactor: true } });
      const me = (await gql<Me>(ME, {}, fresh)).body.data!.me;
      expect(me.mfaFactors.map((f) => f.name)).toEqual(['New phone']);
      expect(me.mfaEnabled).toBe(true);
      expect(me.recoveryCodesRemaining).toBe(9);
      await mail.waitFor(user.email, /^A second factor was removed from your account$/);
      // The old app's codes no longer sign in; the new one's do.
      const next = await passwordStep(user);
      expect(codeOf(await verify(next, { c: appCode(old.secret) }))).toBe('INVALID_CREDENTIALS');
      expect(codeOf(await verify(next, { c: appCode(replacement.secret) }))).toBeUndefined();
      tick();
    });

    it('removing the last factor turns MFA off and voids the recovery codes', async () => {
      const { user, totp } = await userWithTotp();
      const done = await verify(await passwordStep(user), { c: appCode(totp.secret) });
      tick();
      const token = done.body.data!.verifyMfa.accessToken;
      expect((await gql(REMOVE, { id: totp.factorId }, token)).body).toEqual({
        data: { removeMfaFactor: true },
      });
      expect((await gql<Me>(ME, {}, token)).body.data!.me).toMatchObject({
        mfaEnabled: false,
        recoveryCodesRemaining: 0,
        mfaFactors: [],
      });
      expect(await outboxEvents(platform, user.id, 'MFA_FACTOR_REMOVED')).toEqual([
        { userId: user.id, factorId: totp.factorId, kind: 'TOTP', mfaEnabled: false },
      ]);
      expect(codeOf(await gql(LOGIN, { e: user.email, p: user.password }))).toBeUndefined();
      expect(codeOf(await gql(REMOVE, { id: totp.factorId }, token))).toBe('NOT_FOUND');
    });

    it('resetUserMfa (scope mfa:reset) removes factors and codes, signs out every session, and tells the user', async () => {
      const { user } = await userWithTotp();
      const asUser = await platform.internal(
        RESET,
        { u: user.id, r: 'lost phone' },
        { token: user.accessToken },
      );
      expect(asUser.body.data ?? null).toBeNull();
      const reset = await platform.internal(
        RESET,
        { u: user.id, r: 'lost phone and codes; identity checked in ticket 4711' },
        { headers: { 'x-service-token': platform.devServiceToken! } },
      );
      expect(reset.body).toEqual({ data: { resetUserMfa: true } });
      expect(await liveSessions(user.id)).toBe(0);
      expect((await gql(ME, {}, user.accessToken)).status).toBe(401);
      expect(await outboxEvents(platform, user.id, 'MFA_RESET')).toEqual([
        {
          userId: user.id,
          actorId: expect.any(String),
          reason: 'lost phone and codes; identity checked in ticket 4711',
        },
      ]);
      await mail.waitFor(user.email, /^Your second factors were removed by support$/);
      const login = await gql<{ login: Tokens }>(LOGIN, { e: user.email, p: user.password });
      expect(claimsOf(login.body.data!.login.accessToken)).toMatchObject({
        amr: ['pwd'],
        mfa_enrolled: false,
      });
    });
  });
});
