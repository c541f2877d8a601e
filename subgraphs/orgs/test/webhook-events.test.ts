import { webhookEventsOf, type EventEnvelope } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  registerUser,
  startSmtpCapture,
  startTestPlatform,
  uniqueEmail,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';
import { ACCEPT, CHANGE_ROLE, INVITE, REMOVE, orgWithAdmin, schema } from './helpers';

let platform: TestPlatform;
let smtp: SmtpCapture;

beforeAll(async () => {
  smtp = await startSmtpCapture();
  platform = await startTestPlatform({ SMTP_URL: smtp.url });
}, PLATFORM_SETUP_MS);
afterAll(async () => {
  await platform?.stop();
  await smtp?.close();
}, PLATFORM_SETUP_MS);

/** The webhook events orgs' outbox makes for one organization, as the webhooks consumer would. */
async function webhookEventsFor(orgId: string) {
  const rows: { id: string; type: string; data: Record<string, unknown>; occurred_at: Date }[] =
    await platform.orgs.dataSource.query(
      `SELECT id, type, data, occurred_at FROM ${schema(platform)}.outbox WHERE data->>'organizationId' = $1`,
      [orgId],
    );
  return rows
    .flatMap((row) =>
      webhookEventsOf({
        id: row.id,
        type: row.type,
        occurredAt: row.occurred_at.toISOString(),
        source: 'orgs',
        data: row.data,
      } as EventEnvelope),
    )
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/**
 * What orgs' real producers (their audit actions, metadata and typed events) become for an
 * organization's endpoints: each change exactly once, with the data README "Webhooks" documents.
 */
describe('webhook events from the orgs producers', () => {
  it('rename, invitations, role change, removal and deletion each make one webhook event', async () => {
    const { admin, orgId } = await orgWithAdmin(platform);
    const as = (token: string) => ({ token });
    const renamed = await platform.gql<{ updateOrganization: { slug: string } }>(
      'mutation ($id: ID!) { updateOrganization(id: $id, name: "Acme Two") { slug } }',
      { id: orgId },
      as(admin.accessToken),
    );
    const slug = renamed.body.data!.updateOrganization.slug;

    const bobEmail = uniqueEmail('bob');
    const bob = await registerUser(platform, { verified: true, email: bobEmail });
    const invited = await platform.gql<{ inviteMember: { id: string } }>(
      INVITE,
      { org: orgId, email: bobEmail, role: 'EDITOR' },
      as(admin.accessToken),
    );
    const invitationId = invited.body.data!.inviteMember.id;
    const { token } = await smtp.waitFor(bobEmail, /invited/);
    expect(
      (await platform.gql(ACCEPT, { token }, as(bob.accessToken))).body.errors,
    ).toBeUndefined();

    const carolEmail = uniqueEmail('carol');
    const revokedId = (
      await platform.gql<{ inviteMember: { id: string } }>(
        INVITE,
        { org: orgId, email: carolEmail, role: 'VIEWER' },
        as(admin.accessToken),
      )
    ).body.data!.inviteMember.id;
    await platform.gql(
      'mutation ($id: ID!) { revokeInvitation(id: $id) }',
      { id: revokedId },
      as(admin.accessToken),
    );

    await platform.gql(
      CHANGE_ROLE,
      { org: orgId, user: bob.id, role: 'VIEWER' },
      as(admin.accessToken),
    );
    await platform.gql(REMOVE, { org: orgId, user: bob.id }, as(admin.accessToken));
    expect(
      (
        await platform.gql(
          'mutation ($id: ID!) { deleteOrganization(id: $id) }',
          { id: orgId },
          as(admin.accessToken),
        )
      ).body.errors,
    ).toBeUndefined();

    const expected = [
      {
        type: 'organization.updated',
        organizationId: orgId,
        data: { organizationId: orgId, name: 'Acme Two', slug, actorId: admin.id },
      },
      {
        type: 'member.invited',
        organizationId: orgId,
        data: {
          organizationId: orgId,
          invitationId,
          email: bobEmail,
          role: 'EDITOR',
          actorId: admin.id,
        },
      },
      {
        type: 'invitation.accepted',
        organizationId: orgId,
        data: { organizationId: orgId, invitationId, userId: bob.id, role: 'EDITOR' },
      },
      {
        type: 'member.invited',
        organizationId: orgId,
        data: {
          organizationId: orgId,
          invitationId: revokedId,
          email: carolEmail,
          role: 'VIEWER',
          actorId: admin.id,
        },
      },
      {
        type: 'invitation.revoked',
        organizationId: orgId,
        data: {
          organizationId: orgId,
          invitationId: revokedId,
          email: carolEmail,
          actorId: admin.id,
        },
      },
      {
        type: 'member.role_changed',
        organizationId: orgId,
        data: { organizationId: orgId, userId: bob.id, role: 'VIEWER', reason: 'role_changed' },
      },
      {
        type: 'member.removed',
        organizationId: orgId,
        data: { organizationId: orgId, userId: bob.id, reason: 'removed' },
      },
      {
        type: 'organization.deleted',
        organizationId: orgId,
        data: { organizationId: orgId, name: 'Acme Two', reason: 'deleted', actorId: admin.id },
      },
    ];
    expect(await webhookEventsFor(orgId)).toEqual(
      expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });
});
