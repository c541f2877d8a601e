import { randomBytes } from 'node:crypto';
import { schemaOf, sha256Hex } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';
import {
  APP_URL,
  OPS,
  auditActions,
  claimsOf,
  code,
  expireEmailTokens,
  outboxEvents,
  startMailPlatform,
  type Tokens,
} from './mail-flows';

const VERIFY_SUBJECT = /^Verify your email address$/;

describe('email verification', () => {
  let platform: TestPlatform;
  let mail: SmtpCapture;

  beforeAll(async () => {
    ({ platform, mail } = await startMailPlatform());
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    await mail.close();
  }, PLATFORM_SETUP_MS);

  const verify = (token: string) =>
    platform.gql<{ verifyEmail: boolean }>(OPS.verifyEmail, { token });

  /** Registration mails the first link; waiting for it keeps the counts below exact. */
  async function registered(options: { verified?: boolean } = {}) {
    const user = await registerUser(platform, options);
    const first = await mail.waitFor(user.email, VERIFY_SUBJECT);
    return { ...user, registrationLink: first.token! };
  }

  /** Requests the `count`-th link since registration. */
  async function requestLink(
    user: { email: string; accessToken: string },
    count = 1,
  ): Promise<string> {
    const response = await platform.gql(OPS.requestVerification, {}, { token: user.accessToken });
    expect(response.body).toEqual({ data: { requestEmailVerification: true } });
    const message = await mail.waitFor(user.email, VERIFY_SUBJECT, { count: count + 1 });
    return message.token!;
  }

  it('mails a link on request; using it verifies the address, the next token says so and VERIFIED fields open', async () => {
    const user = await registered();
    const before = await platform.gql(
      OPS.updateProfile,
      { input: { displayName: 'Too Early' } },
      { token: user.accessToken },
    );
    expect(code(before)).toBe('EMAIL_NOT_VERIFIED');

    await platform.gql(OPS.requestVerification, {}, { token: user.accessToken });
    const message = await mail.waitFor(user.email, VERIFY_SUBJECT, { count: 2 });
    expect(message.link).toMatch(new RegExp(`^${APP_URL}/verify-email\\?token=[A-Za-z0-9_-]{43}$`));
    expect(message.text).toContain(user.email);

    expect((await verify(message.token!)).body).toEqual({ data: { verifyEmail: true } });
    const me = await platform.gql<{ me: { emailVerified: boolean } }>(
      OPS.me,
      {},
      { token: user.accessToken },
    );
    expect(me.body.data!.me.emailVerified).toBe(true);

    const refreshed = await platform.gql<{ refreshToken: Tokens }>(OPS.refresh, {
      t: user.refreshToken,
    });
    const { accessToken } = refreshed.body.data!.refreshToken;
    expect(claimsOf(accessToken).email_verified).toBe(true);
    const after = await platform.gql(
      OPS.updateProfile,
      { input: { displayName: 'Verified' } },
      { token: accessToken },
    );
    expect(after.body).toEqual({
      data: { updateProfile: { id: user.id, displayName: 'Verified' } },
    });

    expect(await outboxEvents(platform, user.id, 'USER_EMAIL_VERIFIED')).toEqual([
      { userId: user.id, email: user.email },
    ]);
    expect(await auditActions(platform, user.id)).toContain('user.email_verified');
  });

  it('registration mails a link that verifies the address; a request afterwards voids it', async () => {
    const user = await registered();
    const message = mail.to(user.email).find((m) => VERIFY_SUBJECT.test(m.subject))!;
    expect(message.link).toBe(`${APP_URL}/verify-email?token=${user.registrationLink}`);
    expect(message.text).toContain(user.email);
    const other = await registered();
    await requestLink(other);
    expect(code(await verify(other.registrationLink))).toBe('INVALID_TOKEN');
    expect((await verify(user.registrationLink)).body).toEqual({ data: { verifyEmail: true } });
    const me = await platform.gql<{ me: { emailVerified: boolean } }>(
      OPS.me,
      {},
      { token: user.accessToken },
    );
    expect(me.body.data!.me.emailVerified).toBe(true);
    expect(await outboxEvents(platform, user.id, 'USER_EMAIL_VERIFIED')).toEqual([
      { userId: user.id, email: user.email },
    ]);
  });

  it('stores only the hash of a link token', async () => {
    const user = await registered();
    const token = await requestLink(user);
    const rows = await platform.auth.dataSource.query(
      `SELECT purpose, token_hash, email FROM ${schemaOf(platform.auth.dataSource)}.email_tokens WHERE user_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([
      { purpose: 'verify_email', token_hash: sha256Hex(token), email: user.email },
    ]);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('accepts a link once', async () => {
    const user = await registered();
    const token = await requestLink(user);
    expect((await verify(token)).body.data).toEqual({ verifyEmail: true });
    expect(code(await verify(token))).toBe('INVALID_TOKEN');
    expect(await outboxEvents(platform, user.id, 'USER_EMAIL_VERIFIED')).toHaveLength(1);
  });

  it('refuses an expired link with INVALID_TOKEN and leaves the address unverified', async () => {
    const user = await registered();
    const token = await requestLink(user);
    await expireEmailTokens(platform, user.id);
    expect(code(await verify(token))).toBe('INVALID_TOKEN');
    const me = await platform.gql<{ me: { emailVerified: boolean } }>(
      OPS.me,
      {},
      { token: user.accessToken },
    );
    expect(me.body.data!.me.emailVerified).toBe(false);
  });

  it.each([
    ['an unknown token', () => randomBytes(32).toString('base64url')],
    ['a malformed token', () => 'not-a-token'],
    ['an empty token', () => ''],
  ])('refuses %s with INVALID_TOKEN', async (_name, make) => {
    const response = await verify(make());
    expect(code(response)).toBe('INVALID_TOKEN');
    expect(response.body.data).toBeNull();
  });

  it('voids the older link when a new one is requested', async () => {
    const user = await registered();
    const first = await requestLink(user, 1);
    const second = await requestLink(user, 2);
    expect(second).not.toBe(first);
    expect(code(await verify(first))).toBe('INVALID_TOKEN');
    expect((await verify(second)).body.data).toEqual({ verifyEmail: true });
  });

  it('answers true for an address verified already, without a new link', async () => {
    const user = await registered({ verified: true });
    const response = await platform.gql(OPS.requestVerification, {}, { token: user.accessToken });
    expect(response.body).toEqual({ data: { requestEmailVerification: true } });
    // Only registration's link: a new one would have replaced it.
    const rows = await platform.auth.dataSource.query(
      `SELECT token_hash FROM ${schemaOf(platform.auth.dataSource)}.email_tokens WHERE user_id = $1`,
      [user.id],
    );
    expect(rows).toEqual([{ token_hash: sha256Hex(user.registrationLink) }]);
    expect(mail.to(user.email)).toHaveLength(1);
  });

  it("limits verification mails per user: RATE_LIMITED after five in the window (registration's not counted)", async () => {
    const user = await registered();
    const codes: unknown[] = [];
    for (let i = 0; i < 6; i += 1)
      codes.push(
        code(await platform.gql(OPS.requestVerification, {}, { token: user.accessToken })),
      );
    expect(codes).toEqual([undefined, undefined, undefined, undefined, undefined, 'RATE_LIMITED']);
  });

  it('needs a signed-in caller to request a link', async () => {
    expect(code(await platform.gql(OPS.requestVerification))).toBe('UNAUTHENTICATED');
  });
});
