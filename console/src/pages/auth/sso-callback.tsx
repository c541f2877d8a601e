import { useEffect, useRef, useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { SsoLogin } from '../../api/auth-operations';
import { startSession } from '../../api/client';
import { problemOf } from '../../api/errors';
import { Link, navigate, type RouteProps } from '../../router';
import { ErrorText, Loading, Page } from '../../ui';

/** Where single sign-on comes back with `code` (or `error`): finishes the sign-in. */
export function SsoCallbackPage({ query }: RouteProps) {
  const code = query.get('code');
  const [message, setMessage] = useState<string | null>(
    code ? null : 'Single sign-on did not finish. Try again, or sign in with your password.',
  );
  const [, ssoLogin] = useMutation(SsoLogin);
  const started = useRef(false);
  useEffect(() => {
    if (!code || started.current) return;
    started.current = true;
    void (async () => {
      const result = await ssoLogin({ code });
      const problem = problemOf(result.error, {
        INVALID_TOKEN: 'This sign-in link was used already or has expired. Try again.',
        FORBIDDEN: 'Your identity provider signed you in, but no account here may be used with it.',
      });
      if (problem) setMessage(problem.message);
      else if (result.data) {
        startSession(result.data.ssoLogin);
        navigate('/', { replace: true });
      }
    })();
  }, [code, ssoLogin]);
  return (
    <Page title="Single sign-on">
      {!message && <Loading label="Signing you in…" />}
      <ErrorText message={message} />
      {message && (
        <p>
          <Link to="/sign-in">Back to sign in</Link>
        </p>
      )}
    </Page>
  );
}
