import { useEffect, useRef, useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { graphql } from '../../generated';
import { refreshSession } from '../../api/client';
import { problemOf } from '../../api/errors';
import { useSession } from '../../api/session';
import { Link, type RouteProps } from '../../router';
import { ErrorText, Loading, Notice, Page } from '../../ui';

const VerifyEmail = graphql(`
  mutation VerifyEmail($token: String!) {
    verifyEmail(token: $token)
  }
`);

/**
 * Where the verification mail's link lands (`<APP_URL>/verify-email?token=…`): verifies once, then
 * renews the access token so it says verified (docs/configuration.md "Email verification").
 */
export function VerifyEmailPage({ query }: RouteProps) {
  const token = query.get('token') ?? '';
  const session = useSession();
  const [state, setState] = useState<'working' | 'done' | { error: string }>('working');
  const [, verify] = useMutation(VerifyEmail);
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    if (!token) {
      setState({ error: 'This link has no token. Open the link from the mail again.' });
      return;
    }
    void (async () => {
      const result = await verify({ token });
      const problem = problemOf(result.error, {
        INVALID_TOKEN:
          'This link was used already or has expired. Sign in and ask for a new one from the start page.',
      });
      if (problem || result.data?.verifyEmail !== true) {
        setState({ error: problem?.message ?? 'The address could not be verified.' });
        return;
      }
      // Tokens signed before still say unverified: renew this tab's (a no-op when signed out).
      await refreshSession();
      setState('done');
    })();
  }, [token, verify]);
  return (
    <Page title="Verify your email">
      {state === 'working' && <Loading label="Verifying your address…" />}
      {state === 'done' && (
        <>
          <Notice kind="success">Your email address is verified.</Notice>
          <p>
            {session ? (
              <Link to="/">Go to the start page</Link>
            ) : (
              <Link to="/sign-in">Sign in</Link>
            )}
          </p>
        </>
      )}
      {typeof state === 'object' && (
        <>
          <ErrorText message={state.error} />
          <p>
            <Link to={session ? '/' : '/sign-in'}>
              {session ? 'Go to the start page' : 'Sign in'}
            </Link>
          </p>
        </>
      )}
    </Page>
  );
}
