import {
  PLATFORM_SETUP_MS,
  registerUser,
  startSmtpCapture,
  startTestPlatform,
  uniqueEmail,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';
import {
  ACCEPT,
  addMember,
  CHANGE_ROLE,
  codes,
  INVITE,
  MEMBERS,
  orgWithAdmin,
  REMOVE,
  schema,
} from './helpers';

let platform: TestPlatform;
let smtp: SmtpCapture;
const APP_URL = 'https://app.example.test';

beforeAll(async () => {
  smtp = await startSmtpCapture();
  platform = await startTestPlatform({ SMTP_URL: smtp.url, APP_URL });
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
  await smtp?.close();
}, PLATFORM_SETUP_MS);

/** An ADMIN invites a fresh address; returns the mailed token. */
async function invite(
  orgId: string,
  adminToken: string,
  email: string,
  role = 'EDITOR',
  count = 1,
): Promise<string> {
  const response = await platform.gql<{ inviteMember: { email: string; role: string } }>(
    INVITE,
    { org: orgId, email, role },
    { token: adminToken },
  );
  expect(response.body.data?.inviteMember).toMatchObject({ email: email.toLowerCase(), role });
  const mail = await smtp.waitFor(email, /invited/, { count });
  expect(mail.link).toBe(`${APP_URL}/accept-invitation?token=${mail.token}`);
  return mail.token!;
}

describe('invitations over SMTP', () => {
  it('the invited, verified address joins with the mailed link; the token works once', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const email = uniqueEmail('invitee');
    const token = await invite(orgId, admin.accessToken, email.toUpperCase());
    const stored = await platform.orgs.dataSource.query(
      `SELECT token_hash FROM ${schema(platform)}.invitations WHERE email = $1`,
      [email],
    );
    expect(stored[0].token_hash).not.toContain(token);
    const invitee = await registerUser(platform, { verified: true, email });
    const accepted = await platform.gql<{
      acceptInvitation: { role: string; user: { id: string } };
    }>(ACCEPT, { token }, { token: invitee.accessToken });
    expect(accepted.body.data?.acceptInvitation).toMatchObject({
      role: 'EDITOR',
      user: { id: invitee.id },
    });
    const members = await platform.gql<{ organization: { myRole: string } }>(
      MEMBERS,
      { id: orgId },
      { token: invitee.accessToken },
    );
    expect(members.body.data?.organization.myRole).toBe('EDITOR');
    expect(codes(await platform.gql(ACCEPT, { token }, { token: invitee.accessToken }))).toEqual([
      'INVALID_TOKEN',
    ]);
  });

  it('refuses another address, an unverified address, an expired, a revoked and an unknown token', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const email = uniqueEmail('invitee');
    const token = await invite(orgId, admin.accessToken, email);
    const other = await registerUser(platform, { verified: true });
    expect(codes(await platform.gql(ACCEPT, { token }, { token: other.accessToken }))).toEqual([
      'FORBIDDEN',
    ]);
    const unverified = await registerUser(platform, { email });
    expect(codes(await platform.gql(ACCEPT, { token }, { token: unverified.accessToken }))).toEqual(
      ['EMAIL_NOT_VERIFIED'],
    );
    expect(
      codes(await platform.gql(ACCEPT, { token: 'x'.repeat(43) }, { token: other.accessToken })),
    ).toEqual(['INVALID_TOKEN']);

    const late = uniqueEmail('late');
    const expired = await invite(orgId, admin.accessToken, late);
    await platform.orgs.dataSource.query(
      `UPDATE ${schema(platform)}.invitations SET expires_at = now() - interval '1 second' WHERE email = $1`,
      [late],
    );
    const lateUser = await registerUser(platform, { verified: true, email: late });
    expect(
      codes(await platform.gql(ACCEPT, { token: expired }, { token: lateUser.accessToken })),
    ).toEqual(['INVALID_TOKEN']);

    const revokedEmail = uniqueEmail('revoked');
    const revokedToken = await invite(orgId, admin.accessToken, revokedEmail);
    const [{ id }] = await platform.orgs.dataSource.query(
      `SELECT id FROM ${schema(platform)}.invitations WHERE email = $1`,
      [revokedEmail],
    );
    const listed = await platform.gql<{ organization: { invitations: { id: string }[] } }>(
      `query($id: ID!) { organization(id: $id) { invitations { id } } }`,
      { id: orgId },
      { token: admin.accessToken },
    );
    expect(listed.body.data?.organization.invitations.map((i) => i.id)).toContain(id);
    expect(
      (
        await platform.gql(
          `mutation($id: ID!) { revokeInvitation(id: $id) }`,
          { id },
          { token: admin.accessToken },
        )
      ).body.data,
    ).toEqual({ revokeInvitation: true });
    const revokedUser = await registerUser(platform, { verified: true, email: revokedEmail });
    expect(
      codes(
        await platform.gql(ACCEPT, { token: revokedToken }, { token: revokedUser.accessToken }),
      ),
    ).toEqual(['INVALID_TOKEN']);
  });

  it('a re-invite replaces the open invitation: only the newest link works', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const email = uniqueEmail('twice');
    const first = await invite(orgId, admin.accessToken, email, 'VIEWER');
    const second = await invite(orgId, admin.accessToken, email, 'ADMIN', 2);
    const user = await registerUser(platform, { verified: true, email });
    expect(
      codes(await platform.gql(ACCEPT, { token: first }, { token: user.accessToken })),
    ).toEqual(['INVALID_TOKEN']);
    const accepted = await platform.gql<{ acceptInvitation: { role: string } }>(
      ACCEPT,
      { token: second },
      { token: user.accessToken },
    );
    expect(accepted.body.data?.acceptInvitation.role).toBe('ADMIN');
  });

  it('concurrent accepts of one token make one membership', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const email = uniqueEmail('race');
    const token = await invite(orgId, admin.accessToken, email);
    const user = await registerUser(platform, { verified: true, email });
    const results = await Promise.all(
      [0, 1, 2, 3].map(() => platform.gql(ACCEPT, { token }, { token: user.accessToken })),
    );
    expect(results.map((r) => codes(r)[0] ?? 'ok').sort()).toEqual([
      'INVALID_TOKEN',
      'INVALID_TOKEN',
      'INVALID_TOKEN',
      'ok',
    ]);
    const rows = await platform.orgs.dataSource.query(
      `SELECT count(*)::int AS n FROM ${schema(platform)}.memberships WHERE organization_id = $1 AND user_id = $2`,
      [orgId, user.id],
    );
    expect(rows[0].n).toBe(1);
  });

  it('refuses bad input: a malformed address, a bad role, a foreign organization, an unknown invitation', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    expect(
      codes(
        await platform.gql(
          INVITE,
          { org: orgId, email: 'not-an-address', role: 'VIEWER' },
          { token: admin.accessToken },
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    expect(
      codes(
        await platform.gql(
          INVITE,
          { org: orgId, email: uniqueEmail(), role: 'OWNER' },
          { token: admin.accessToken },
        ),
      ),
    ).toEqual(['BAD_USER_INPUT']);
    const other = await orgWithAdmin(platform);
    expect(
      codes(
        await platform.gql(
          INVITE,
          { org: other.orgId, email: uniqueEmail(), role: 'VIEWER' },
          { token: admin.accessToken },
        ),
      ),
    ).toEqual(['NOT_FOUND']);
    expect(
      codes(
        await platform.gql(
          `mutation { revokeInvitation(id: "00000000-0000-4000-8000-000000000000") }`,
          {},
          { token: admin.accessToken },
        ),
      ),
    ).toEqual(['NOT_FOUND']);
  });

  describe('an invitation is worth no more than its inviter still is (issue 16)', () => {
    /** A second ADMIN invites a fresh address as ADMIN; returns what the attack needs. */
    async function invitedBySecondAdmin(role = 'ADMIN') {
      const { admin, orgId } = await orgWithAdmin(platform);
      const inviter = await addMember(platform, orgId, 'ADMIN');
      const email = uniqueEmail('invitee');
      const token = await invite(orgId, inviter.accessToken, email, role);
      const invitee = await registerUser(platform, { verified: true, email });
      return { admin, orgId, inviter, email, token, invitee };
    }

    const membership = async (orgId: string, userId: string) =>
      platform.orgs.dataSource.query(
        `SELECT role FROM ${schema(platform)}.memberships WHERE organization_id = $1 AND user_id = $2`,
        [orgId, userId],
      );
    const invitationRow = async (email: string) =>
      (
        await platform.orgs.dataSource.query(
          `SELECT accepted_at, revoked_at FROM ${schema(platform)}.invitations WHERE email = $1`,
          [email],
        )
      )[0] as { accepted_at: Date | null; revoked_at: Date | null };

    it('the inviter removed: the invitee cannot accept and become ADMIN', async () => {
      const { admin, orgId, inviter, email, token, invitee } = await invitedBySecondAdmin();
      expect(
        codes(
          await platform.gql(
            REMOVE,
            { org: orgId, user: inviter.id },
            { token: admin.accessToken },
          ),
        ),
      ).toEqual([]);
      // The removal voided the invitation in its own transaction.
      expect((await invitationRow(email)).revoked_at).not.toBeNull();
      expect(codes(await platform.gql(ACCEPT, { token }, { token: invitee.accessToken }))).toEqual([
        'INVALID_TOKEN',
      ]);
      expect(await membership(orgId, invitee.id)).toEqual([]);
    });

    it('the inviter demoted to EDITOR: the ADMIN invitation is void, coded, and nothing changes', async () => {
      const { admin, orgId, inviter, email, token, invitee } = await invitedBySecondAdmin();
      expect(
        codes(
          await platform.gql(
            CHANGE_ROLE,
            { org: orgId, user: inviter.id, role: 'EDITOR' },
            { token: admin.accessToken },
          ),
        ),
      ).toEqual([]);
      expect((await invitationRow(email)).revoked_at).not.toBeNull();
      expect(codes(await platform.gql(ACCEPT, { token }, { token: invitee.accessToken }))).toEqual([
        'INVALID_TOKEN',
      ]);
      expect(await membership(orgId, invitee.id)).toEqual([]);
    });

    it('checked at accept itself: an inviter who lost the role by any other path voids the invitation', async () => {
      // The membership row changed with no voiding step (another writer, an older invitation):
      // the accept must still read the inviter's current role.
      for (const change of [
        `DELETE FROM ${schema(platform)}.memberships WHERE organization_id = $1 AND user_id = $2`,
        `UPDATE ${schema(platform)}.memberships SET role = 'VIEWER' WHERE organization_id = $1 AND user_id = $2`,
      ]) {
        const { orgId, inviter, email, token, invitee } = await invitedBySecondAdmin();
        await platform.orgs.dataSource.query(change, [orgId, inviter.id]);
        const refused = await platform.gql(ACCEPT, { token }, { token: invitee.accessToken });
        expect(refused.body.errors?.[0].extensions).toMatchObject({
          code: 'FORBIDDEN',
          reason: 'INVITER_NO_LONGER_AUTHORIZED',
        });
        expect(await membership(orgId, invitee.id)).toEqual([]);
        expect(await invitationRow(email)).toMatchObject({ accepted_at: null });
        // The refused accept is in the organization's audit trail (through the outbox).
        const audited: { data: { action: string; metadata: { reason: string } } }[] =
          await platform.orgs.dataSource.query(
            `SELECT data FROM ${schema(platform)}.outbox WHERE type = 'AUDIT_RECORDED'
             AND data->>'organizationId' = $1 AND data->>'actorId' = $2`,
            [orgId, invitee.id],
          );
        expect(audited.map((r) => [r.data.action, r.data.metadata.reason])).toEqual([
          ['access.denied', 'Whoever sent this invitation may no longer invite at its role.'],
        ]);
      }
    });

    it('an inviter still an ADMIN, or demoted only after the invitee joined, changes nothing', async () => {
      const { admin, orgId, inviter, token, invitee } = await invitedBySecondAdmin('VIEWER');
      const accepted = await platform.gql<{ acceptInvitation: { role: string } }>(
        ACCEPT,
        { token },
        { token: invitee.accessToken },
      );
      expect(accepted.body.data?.acceptInvitation.role).toBe('VIEWER');
      expect(
        codes(
          await platform.gql(
            REMOVE,
            { org: orgId, user: inviter.id },
            { token: admin.accessToken },
          ),
        ),
      ).toEqual([]);
      expect(await membership(orgId, invitee.id)).toEqual([{ role: 'VIEWER' }]);
    });
  });
});
