import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { Login, VerifyMfa } from '../../api/auth-operations';
import { startSession } from '../../api/client';
import { problemOf } from '../../api/errors';
import { Link, navigate, safeNext, type RouteProps } from '../../router';
import { Field, Form, Notice, Page, check, errors } from '../../ui';

/** Sign in: email and password, then a second factor when the account has one (MFA_REQUIRED). */
export function SignInPage({ query }: RouteProps) {
  const next = safeNext(query.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [, login] = useMutation(Login);
  if (mfaToken) return <SecondFactor mfaToken={mfaToken} next={next} />;
  return (
    <Page title="Sign in">
      {query.get('expired') && <Notice>Your session has ended. Sign in to go on.</Notice>}
      <Form
        submitLabel="Sign in"
        validate={() =>
          errors({
            email: check.email(email),
            password: check.required(password, 'your password'),
          })
        }
        onSubmit={async () => {
          const result = await login({ email: email.trim(), password });
          const problem = problemOf(result.error);
          if (problem?.code === 'MFA_REQUIRED' && typeof problem.extensions.mfaToken === 'string') {
            setMfaToken(problem.extensions.mfaToken);
            return null;
          }
          if (problem) return problem;
          if (result.data) {
            startSession(result.data.login);
            navigate(next, { replace: true });
          }
          return null;
        }}
      >
        {(found) => (
          <>
            <Field
              name="email"
              label="Email"
              type="email"
              autoComplete="username"
              value={email}
              onInput={setEmail}
              error={found.email}
              required
            />
            <Field
              name="password"
              label="Password"
              type="password"
              autoComplete="current-password"
              value={password}
              onInput={setPassword}
              error={found.password}
              required
            />
          </>
        )}
      </Form>
      <p class="links">
        <Link to="/forgot-password">Forgot your password?</Link> ·{' '}
        <Link to="/sign-up">Create an account</Link>
      </p>
    </Page>
  );
}

function SecondFactor(props: { mfaToken: string; next: string }) {
  const [code, setCode] = useState('');
  const [, verify] = useMutation(VerifyMfa);
  return (
    <Page title="Second factor" intro="Enter the 6-digit code from your authenticator app.">
      <Form
        submitLabel="Verify"
        validate={() => errors({ code: check.totpCode(code) })}
        onSubmit={async () => {
          const result = await verify({
            mfaToken: props.mfaToken,
            code: code.replace(/\s/g, ''),
          });
          const problem = problemOf(result.error);
          if (problem) return problem;
          if (result.data) {
            startSession(result.data.verifyMfa);
            navigate(props.next, { replace: true });
          }
          return null;
        }}
      >
        {(found) => (
          <Field
            name="code"
            label="Code"
            inputMode="numeric"
            autoComplete="one-time-code"
            value={code}
            onInput={setCode}
            error={found.code}
            maxLength={7}
            required
          />
        )}
      </Form>
    </Page>
  );
}
