import {
  PLATFORM_SETUP_MS,
  uniqueEmail,
  registerUser,
  type SmtpCapture,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import {
  expectTokensFor,
  APP_URL,
  OPS,
  auditActions,
  code,
  expireEmailTokens,
  login,
  startMailPlatform,
} from './mail-flows';

const RESET_SUBJECT = /^Reset your password$/;
const NEW_PASSWORD = 'a brand new passphrase';

describe('password reset', () => {
  let platform: TestPlatform;
  let mail: SmtpCapture;

  beforeAll(async () => {
    ({ platform, mail } = await startMailPlatform());
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    await mail.close();
  }, PLATFORM_SETUP_MS);

  const requestReset = (email: string) =>
    platform.gql<{ requestPasswordReset: boolean }>(OPS.requestReset, { email });
  const reset = (token: string, pw = NEW_PASSWORD) =>
    platform.gql<{ resetPassword: boolean }>(OPS.resetPassword, { token, pw });

  async function resetLink(user: TestUser, count = 1): Promise<string> {
    expect((await requestReset(user.email)).body).toEqual({ data: { requestPasswordReset: true } });
    return (await mail.waitFor(user.email, RESET_SUBJECT, { count })).token!;
  }

  it('answers true for an unknown address and mails nobody', async () => {
    const unknown = uniqueEmail('nobody');
    expect((await requestReset(unknown)).body).toEqual({ data: { requestPasswordReset: true } });
    // A reset for a real account afterwards: once its mail is in, the unknown one's would be too.
    const user = await registerUser(platform);
    await resetLink(user);
    expect(mail.to(unknown)).toEqual([]);
  });

  it('mails an existing account a one-hour link to the reset page', async () => {
    const user = await registerUser(platform);
    await requestReset(user.email.toUpperCase());
    const message = await mail.waitFor(user.email, RESET_SUBJECT);
    expect(message.link).toMatch(
      new RegExp(`^${APP_URL}/reset-password\\?token=[A-Za-z0-9_-]{43}$`),
    );
    expect(message.text).toMatch(/1 hour/);
  });

  it('refuses a malformed address with BAD_USER_INPUT', async () => {
    expect(code(await requestReset('not an address'))).toBe('BAD_USER_INPUT');
  });

  it('sets the new password and signs out every session: old access tokens 401, old refresh tokens INVALID_TOKEN', async () => {
    const user = await registerUser(platform, { verified: true });
    const other = (await login(platform, user.email, user.password)).body.data!.login;
    const token = await resetLink(user);

    expect((await reset(token)).body).toEqual({ data: { resetPassword: true } });

    for (const session of [user, other]) {
      const me = await platform.gql(OPS.me, {}, { token: session.accessToken });
      expect(me.status).toBe(401);
      expect(code(me)).toBe('UNAUTHENTICATED');
      expect(code(await platform.gql(OPS.refresh, { t: session.refreshToken }))).toBe(
        'INVALID_TOKEN',
      );
    }
    expect(code(await login(platform, user.email, user.password))).toBe('INVALID_CREDENTIALS');
    const fresh = await login(platform, user.email, NEW_PASSWORD);
    const me = await platform.gql<{ me: { id: string } }>(
      OPS.me,
      {},
      { token: fresh.body.data!.login.accessToken },
    );
    expect(me.body.data!.me.id).toBe(user.id);
    expect(await auditActions(platform, user.id)).toContain('user.password_reset');
  });

  it('accepts a link once', async () => {
    const user = await registerUser(platform);
    const token = await resetLink(user);
    expect((await reset(token)).body.data).toEqual({ resetPassword: true });
    expect(code(await reset(token, 'yet another passphrase'))).toBe('INVALID_TOKEN');
    expectTokensFor(await login(platform, user.email, NEW_PASSWORD), user.id);
  });

  it('refuses an expired link with INVALID_TOKEN and keeps the old password', async () => {
    const user = await registerUser(platform);
    const token = await resetLink(user);
    await expireEmailTokens(platform, user.id);
    expect(code(await reset(token))).toBe('INVALID_TOKEN');
    expectTokensFor(await login(platform, user.email, user.password), user.id);
  });

  it('refuses made-up tokens with INVALID_TOKEN without spending password work on them', async () => {
    const hash = jest.spyOn(platform.auth.services.hasher, 'hash');
    expect(code(await reset('A'.repeat(43)))).toBe('INVALID_TOKEN');
    expect(code(await reset('short'))).toBe('INVALID_TOKEN');
    expect(hash).not.toHaveBeenCalled();
    hash.mockRestore();
  });

  it('voids the older link when a new one is requested', async () => {
    const user = await registerUser(platform);
    const first = await resetLink(user, 1);
    const second = await resetLink(user, 2);
    expect(code(await reset(first))).toBe('INVALID_TOKEN');
    expect((await reset(second)).body.data).toEqual({ resetPassword: true });
  });

  it('checks the password policy first; the link still works afterwards', async () => {
    const user = await registerUser(platform);
    const token = await resetLink(user);
    const weak = await reset(token, 'short');
    expect(code(weak)).toBe('BAD_USER_INPUT');
    expect(weak.body.errors?.[0].extensions?.fieldErrors).toHaveProperty('newPassword');
    expect((await reset(token)).body.data).toEqual({ resetPassword: true });
  });

  it('keeps link purposes apart: a reset link verifies no email, a verification link resets no password', async () => {
    const user = await registerUser(platform);
    const resetToken = await resetLink(user);
    expect(code(await platform.gql(OPS.verifyEmail, { token: resetToken }))).toBe('INVALID_TOKEN');
    await platform.gql(OPS.requestVerification, {}, { token: user.accessToken });
    // The second link: registration mailed the first, which the request voided.
    const verifyToken = (
      await mail.waitFor(user.email, /^Verify your email address$/, { count: 2 })
    ).token!;
    expect(code(await reset(verifyToken))).toBe('INVALID_TOKEN');
    expect((await reset(resetToken)).body.data).toEqual({ resetPassword: true });
  });

  it('limits reset mails per address: RATE_LIMITED after five in the window, known or not', async () => {
    for (const email of [(await registerUser(platform)).email, uniqueEmail('nobody')]) {
      const codes: unknown[] = [];
      for (let i = 0; i < 6; i += 1) codes.push(code(await requestReset(email)));
      expect(codes).toEqual([
        undefined,
        undefined,
        undefined,
        undefined,
        undefined,
        'RATE_LIMITED',
      ]);
    }
  });
});
