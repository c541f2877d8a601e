import { schemaOf } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  uniqueEmail,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';
import {
  expectTokensFor,
  OPS,
  auditActions,
  claimsOf,
  code,
  login,
  outboxEvents,
  startMailPlatform,
  type Tokens,
} from './mail-flows';

const NEW_PASSWORD = 'a brand new passphrase';

describe('account changes by their owner', () => {
  let platform: TestPlatform;
  let mail: SmtpCapture;

  beforeAll(async () => {
    ({ platform, mail } = await startMailPlatform());
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform.stop();
    await mail.close();
  }, PLATFORM_SETUP_MS);

  const me = (token: string) =>
    platform.gql<{
      me: { id: string; email: string; displayName: string | null; emailVerified: boolean };
    }>(OPS.me, {}, { token });

  describe('updateProfile', () => {
    it('sets, trims and clears the display name', async () => {
      const user = await registerUser(platform, { verified: true });
      const update = (displayName: string | null) =>
        platform.gql(OPS.updateProfile, { input: { displayName } }, { token: user.accessToken });
      expect((await update('  Ada Lovelace ')).body).toEqual({
        data: { updateProfile: { id: user.id, displayName: 'Ada Lovelace' } },
      });
      expect(
        (await platform.gql(OPS.updateProfile, { input: {} }, { token: user.accessToken })).body
          .data,
      ).toEqual({ updateProfile: { id: user.id, displayName: 'Ada Lovelace' } });
      expect((await update('   ')).body.data).toEqual({
        updateProfile: { id: user.id, displayName: null },
      });
      expect((await update(null)).body.data).toEqual({
        updateProfile: { id: user.id, displayName: null },
      });
      expect(await auditActions(platform, user.id)).toContain('user.profile_updated');
    });

    it('refuses more than 100 characters with BAD_USER_INPUT', async () => {
      const user = await registerUser(platform, { verified: true });
      const response = await platform.gql(
        OPS.updateProfile,
        { input: { displayName: 'x'.repeat(101) } },
        { token: user.accessToken },
      );
      expect(code(response)).toBe('BAD_USER_INPUT');
      expect(response.body.errors?.[0].extensions?.fieldErrors).toHaveProperty('displayName');
    });
  });

  describe('changePassword', () => {
    it('needs the current password: INVALID_CREDENTIALS otherwise', async () => {
      const user = await registerUser(platform, { verified: true });
      const response = await platform.gql(
        OPS.changePassword,
        { cur: 'not the password', pw: NEW_PASSWORD },
        { token: user.accessToken },
      );
      expect(code(response)).toBe('INVALID_CREDENTIALS');
      expectTokensFor(await login(platform, user.email, user.password), user.id);
    });

    it('keeps the calling session and signs out every other one', async () => {
      const user = await registerUser(platform, { verified: true });
      const other = (await login(platform, user.email, user.password)).body.data!.login;
      const response = await platform.gql(
        OPS.changePassword,
        { cur: user.password, pw: NEW_PASSWORD },
        { token: user.accessToken },
      );
      expect(response.body).toEqual({ data: { changePassword: true } });

      expect((await me(user.accessToken)).body.data!.me.id).toBe(user.id);
      expectTokensFor(
        await platform.gql<{ refreshToken: Tokens }>(OPS.refresh, { t: user.refreshToken }),
        user.id,
      );
      expect((await me(other.accessToken)).status).toBe(401);
      expect(code(await platform.gql(OPS.refresh, { t: other.refreshToken }))).toBe(
        'INVALID_TOKEN',
      );

      expect(code(await login(platform, user.email, user.password))).toBe('INVALID_CREDENTIALS');
      expectTokensFor(await login(platform, user.email, NEW_PASSWORD), user.id);
      expect(await auditActions(platform, user.id)).toContain('user.password_changed');
    });

    it('applies the password policy to the new password', async () => {
      const user = await registerUser(platform, { verified: true });
      const response = await platform.gql(
        OPS.changePassword,
        { cur: user.password, pw: 'short' },
        { token: user.accessToken },
      );
      expect(code(response)).toBe('BAD_USER_INPUT');
    });
  });

  describe('changeEmail', () => {
    it('mails both addresses and switches only once the new one is verified, signing out every session', async () => {
      const user = await registerUser(platform, { verified: true });
      const newEmail = uniqueEmail('moved');
      const response = await platform.gql(
        OPS.changeEmail,
        { email: newEmail, pw: user.password },
        { token: user.accessToken },
      );
      expect(response.body).toEqual({ data: { changeEmail: true } });

      const confirm = await mail.waitFor(newEmail, /^Confirm your new email address$/);
      const notice = await mail.waitFor(user.email, /^Your email address is about to change$/);
      expect(notice.text).toContain(newEmail);
      expect(notice.token).toBeUndefined();

      // Nothing has changed yet.
      expect((await me(user.accessToken)).body.data!.me.email).toBe(user.email);
      expect(code(await login(platform, newEmail, user.password))).toBe('INVALID_CREDENTIALS');
      expectTokensFor(await login(platform, user.email, user.password), user.id);

      expect((await platform.gql(OPS.verifyEmail, { token: confirm.token })).body).toEqual({
        data: { verifyEmail: true },
      });
      expect((await me(user.accessToken)).status).toBe(401);
      expect(code(await platform.gql(OPS.refresh, { t: user.refreshToken }))).toBe('INVALID_TOKEN');
      expect(code(await login(platform, user.email, user.password))).toBe('INVALID_CREDENTIALS');
      const fresh = (await login(platform, newEmail, user.password)).body.data!.login;
      expect(claimsOf(fresh.accessToken).email_verified).toBe(true);
      expect((await me(fresh.accessToken)).body.data!.me).toMatchObject({
        email: newEmail,
        emailVerified: true,
      });

      expect(code(await platform.gql(OPS.verifyEmail, { token: confirm.token }))).toBe(
        'INVALID_TOKEN',
      );
      expect(await outboxEvents(platform, user.id, 'USER_EMAIL_VERIFIED')).toEqual([
        { userId: user.id, email: newEmail },
      ]);
      expect(await auditActions(platform, user.id)).toEqual(
        expect.arrayContaining(['user.email_change_requested', 'user.email_changed']),
      );
    });

    it('needs the password: INVALID_CREDENTIALS otherwise, and nothing is mailed', async () => {
      const user = await registerUser(platform, { verified: true });
      const newEmail = uniqueEmail('moved');
      const response = await platform.gql(
        OPS.changeEmail,
        { email: newEmail, pw: 'not the password' },
        { token: user.accessToken },
      );
      expect(code(response)).toBe('INVALID_CREDENTIALS');
      expect(mail.to(newEmail)).toEqual([]);
    });

    it('refuses an address another account has with CONFLICT, at request and at verification', async () => {
      const user = await registerUser(platform, { verified: true });
      const taken = await registerUser(platform);
      const refused = await platform.gql(
        OPS.changeEmail,
        { email: taken.email, pw: user.password },
        { token: user.accessToken },
      );
      expect(code(refused)).toBe('CONFLICT');

      const newEmail = uniqueEmail('raced');
      await platform.gql(
        OPS.changeEmail,
        { email: newEmail, pw: user.password },
        { token: user.accessToken },
      );
      const confirm = await mail.waitFor(newEmail, /^Confirm your new email address$/);
      await registerUser(platform, { email: newEmail });
      expect(code(await platform.gql(OPS.verifyEmail, { token: confirm.token }))).toBe('CONFLICT');
      expect((await me(user.accessToken)).body.data!.me.email).toBe(user.email);
    });

    it('refuses the current address and a malformed one with BAD_USER_INPUT', async () => {
      const user = await registerUser(platform, { verified: true });
      for (const email of [user.email, 'not an address']) {
        expect(
          code(
            await platform.gql(
              OPS.changeEmail,
              { email, pw: user.password },
              { token: user.accessToken },
            ),
          ),
        ).toBe('BAD_USER_INPUT');
      }
    });
  });

  describe('deleteAccount', () => {
    it('needs the password: INVALID_CREDENTIALS otherwise', async () => {
      const user = await registerUser(platform, { verified: true });
      expect(
        code(
          await platform.gql(
            OPS.deleteAccount,
            { pw: 'not the password' },
            { token: user.accessToken },
          ),
        ),
      ).toBe('INVALID_CREDENTIALS');
      expect((await me(user.accessToken)).body.data!.me.id).toBe(user.id);
    });

    it('counts wrong passwords toward the login lockout: RATE_LIMITED after ten, the right one too', async () => {
      const user = await registerUser(platform, { verified: true });
      for (let i = 0; i < 10; i += 1) {
        expect(
          code(
            await platform.gql(
              OPS.deleteAccount,
              { pw: `wrong-${i}` },
              { token: user.accessToken },
            ),
          ),
        ).toBe('INVALID_CREDENTIALS');
      }
      expect(
        code(
          await platform.gql(OPS.deleteAccount, { pw: user.password }, { token: user.accessToken }),
        ),
      ).toBe('RATE_LIMITED');
      expect(code(await login(platform, user.email, user.password))).toBe('RATE_LIMITED');
    });

    it('removes the user, ends every session, announces USER_DELETED and closes the credit account', async () => {
      const user = await registerUser(platform, { verified: true });
      const other = (await login(platform, user.email, user.password)).body.data!.login;
      await eventually(async () =>
        expect(await platform.credits.services.ledger.account(user.id)).not.toBeNull(),
      );

      expect(
        (await platform.gql(OPS.deleteAccount, { pw: user.password }, { token: user.accessToken }))
          .body,
      ).toEqual({ data: { deleteAccount: true } });

      for (const session of [user, other]) {
        expect((await me(session.accessToken)).status).toBe(401);
        expect(code(await platform.gql(OPS.refresh, { t: session.refreshToken }))).toBe(
          'INVALID_TOKEN',
        );
      }
      expect(code(await login(platform, user.email, user.password))).toBe('INVALID_CREDENTIALS');
      const schema = schemaOf(platform.auth.dataSource);
      for (const table of ['users', 'sessions', 'email_tokens']) {
        const column = table === 'users' ? 'id' : 'user_id';
        expect(
          await platform.auth.dataSource.query(
            `SELECT 1 FROM ${schema}.${table} WHERE ${column} = $1`,
            [user.id],
          ),
        ).toEqual([]);
      }
      expect(await outboxEvents(platform, user.id, 'USER_DELETED')).toEqual([{ userId: user.id }]);
      expect(await auditActions(platform, user.id)).toContain('user.deleted');
      // Credits consumed USER_DELETED: the account is closed and no longer linked to the user's id.
      await eventually(async () =>
        expect(await platform.credits.services.ledger.account(user.id)).toBeNull(),
      );
    });

    it('lets the address sign up again afterwards', async () => {
      const user = await registerUser(platform, { verified: true });
      await platform.gql(OPS.deleteAccount, { pw: user.password }, { token: user.accessToken });
      const again = await registerUser(platform, { email: user.email });
      expect(again.id).not.toBe(user.id);
    });
  });
});
