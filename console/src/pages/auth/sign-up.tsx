import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { Register } from '../../api/auth-operations';
import { startSession } from '../../api/client';
import { problemOf } from '../../api/errors';
import { Link, navigate, safeNext, type RouteProps } from '../../router';
import { Field, Form, Page, check, errors } from '../../ui';

/**
 * Create an account. `?next=` (a console path, e.g. the invitation page that sent the person here)
 * is where the new session goes; without it, the start page's welcome.
 */
export function SignUpPage({ query }: RouteProps) {
  const wanted = query.get('next');
  const next = wanted ? safeNext(wanted) : null;
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [, register] = useMutation(Register);
  return (
    <Page title="Create an account">
      <Form
        submitLabel="Create account"
        validate={() =>
          errors({ email: check.email(email), password: check.newPassword(password) })
        }
        onSubmit={async () => {
          const result = await register({
            input: { email: email.trim(), password, displayName: displayName.trim() || null },
          });
          const problem = problemOf(result.error, {
            CONFLICT: 'An account with this email address exists. Sign in instead.',
          });
          if (problem) return problem;
          if (result.data) {
            startSession(result.data.register);
            navigate(next ?? '/?welcome=1', { replace: true });
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
              autoComplete="email"
              value={email}
              onInput={setEmail}
              error={found.email}
              required
            />
            <Field
              name="displayName"
              label="Name (optional)"
              autoComplete="name"
              value={displayName}
              onInput={setDisplayName}
              error={found.displayName}
            />
            <Field
              name="password"
              label="Password"
              type="password"
              autoComplete="new-password"
              hint="10 to 128 characters; very common passwords are refused."
              value={password}
              onInput={setPassword}
              error={found.password}
              required
            />
          </>
        )}
      </Form>
      <p class="links">
        Have an account?{' '}
        <Link to={next ? `/sign-in?next=${encodeURIComponent(next)}` : '/sign-in'}>Sign in</Link>
      </p>
    </Page>
  );
}
