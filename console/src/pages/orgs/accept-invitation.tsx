import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { refreshSession } from '../../api/client';
import { problemOf } from '../../api/errors';
import { useSession } from '../../api/session';
import { Link, type RouteProps } from '../../router';
import { Button, Empty, ErrorText, Notice, Page } from '../../ui';
import { ORG_REASONS, roleName, withReasons } from './controls';
import { AcceptInvitation } from './operations';

/**
 * Where the invitation mail's link lands (`/accept-invitation?token=…`). A signed-out visitor is
 * asked to sign in (or create an account) with the invited address, and comes back here (`?next=`).
 * Accepting needs a verified address: a new account is asked to open the verification mail (in
 * another tab) and come back; the verification link is the server's and carries no `next`, so this
 * page renews its token once when the API still says EMAIL_NOT_VERIFIED and tries again.
 */
export function AcceptInvitationPage({ query }: RouteProps) {
  const token = query.get('token') ?? '';
  const session = useSession();
  const [, accept] = useMutation(AcceptInvitation);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [joined, setJoined] = useState<{ id: string; name: string; role: string } | null>(null);
  if (!token)
    return (
      <Page title="Accept an invitation">
        <Empty>This link has no invitation in it. Open the link from the invitation mail.</Empty>
      </Page>
    );
  const unverified = session
    ? session.claims.emailVerified === false || !session.user.emailVerified
    : false;
  if (!session) {
    const next = encodeURIComponent(`/accept-invitation?token=${encodeURIComponent(token)}`);
    return (
      <Page title="Accept an invitation">
        <p>
          You are invited to an organization. Sign in with the address the invitation was sent to,
          or create an account with it, and come back to this link.
        </p>
        <p class="actions">
          <Link to={`/sign-in?next=${next}`}>Sign in</Link>
          <Link to={`/sign-up?next=${next}`}>Create an account</Link>
        </p>
      </Page>
    );
  }
  return (
    <Page title="Accept an invitation">
      {joined ? (
        <>
          <Notice kind="success">
            You joined {joined.name} as {roleName(joined.role)}.
          </Notice>
          <p>
            <Link to={`/orgs/${joined.id}`}>Open {joined.name}</Link>
          </p>
        </>
      ) : (
        <>
          <p>
            You are signed in as <strong>{session.user.email}</strong>. The invitation works only
            for the address it was sent to, once that address is verified.
          </p>
          {unverified && (
            <Notice>
              Verify your address first: open the link we mailed to {session.user.email}, then come
              back to this page and accept.
            </Notice>
          )}
          <ErrorText message={problem} />
          <Button
            busy={busy}
            onClick={async () => {
              setBusy(true);
              setProblem(null);
              let result = await accept({ token });
              // Verified in another tab since this session's token was signed: renew it, retry once.
              if (
                problemOf(result.error)?.code === 'EMAIL_NOT_VERIFIED' &&
                (await refreshSession())
              )
                result = await accept({ token });
              setBusy(false);
              const found = withReasons(
                problemOf(result.error, {
                  INVALID_TOKEN:
                    'This invitation is not valid any more: it was used, revoked or replaced, or it expired. Ask for a new one.',
                  FORBIDDEN:
                    'This invitation is for another address. Sign in with the address it was sent to.',
                  EMAIL_NOT_VERIFIED:
                    'Verify your email address first (open the link we mailed you), then accept.',
                }),
                ORG_REASONS,
              );
              if (found) return setProblem(found.message);
              const membership = result.data?.acceptInvitation;
              if (membership)
                setJoined({
                  id: membership.organization.id,
                  name: membership.organization.name,
                  role: membership.role,
                });
            }}
          >
            Accept invitation
          </Button>
        </>
      )}
    </Page>
  );
}
