import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { graphql } from '../../generated';
import { endSession } from '../../api/client';
import { problemOf } from '../../api/errors';
import { Link, type RouteProps } from '../../router';
import { ErrorText, Field, Form, Notice, Page, check, errors } from '../../ui';

const RequestPasswordReset = graphql(`
  mutation RequestPasswordReset($email: String!) {
    requestPasswordReset(email: $email)
  }
`);

const ResetPassword = graphql(`
  mutation ResetPassword($token: String!, $newPassword: String!) {
    resetPassword(token: $token, newPassword: $newPassword)
  }
`);

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [, request] = useMutation(RequestPasswordReset);
  return (
    <Page
      title="Reset your password"
      intro="Enter your account's email address and we will mail you a link to choose a new password."
    >
      {sent ? (
        <Notice kind="success">
          If an account has this address, a link is on its way. It works for one hour.
        </Notice>
      ) : (
        <Form
          submitLabel="Mail me a link"
          validate={() => errors({ email: check.email(email) })}
          onSubmit={async () => {
            const result = await request({ email: email.trim() });
            const problem = problemOf(result.error);
            if (problem) return problem;
            setSent(true);
            return null;
          }}
        >
          {(found) => (
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
          )}
        </Form>
      )}
      <p class="links">
        <Link to="/sign-in">Back to sign in</Link>
      </p>
    </Page>
  );
}

/** Where the reset mail's link lands (`<APP_URL>/reset-password?token=…`). */
export function ResetPasswordPage({ query }: RouteProps) {
  const token = query.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const [, reset] = useMutation(ResetPassword);
  if (!token)
    return (
      <Page title="Choose a new password">
        <ErrorText message="This link has no token. Open the link from the mail again." />
        <p>
          <Link to="/forgot-password">Ask for a new link</Link>
        </p>
      </Page>
    );
  return (
    <Page title="Choose a new password">
      {done ? (
        <>
          <Notice kind="success">
            Your password is changed and every session is signed out. Sign in with the new one.
          </Notice>
          <p>
            <Link to="/sign-in">Sign in</Link>
          </p>
        </>
      ) : (
        <Form
          submitLabel="Set the new password"
          validate={() =>
            errors({
              newPassword: check.newPassword(password),
              confirm: confirm === password ? undefined : 'The two passwords differ.',
            })
          }
          onSubmit={async () => {
            const result = await reset({ token, newPassword: password });
            const problem = problemOf(result.error, {
              INVALID_TOKEN: 'This link was used already or has expired. Ask for a new one.',
            });
            if (problem) return problem;
            // Every session of the account is signed out, this tab's too.
            endSession();
            setDone(true);
            return null;
          }}
        >
          {(found) => (
            <>
              <Field
                name="newPassword"
                label="New password"
                type="password"
                autoComplete="new-password"
                hint="10 to 128 characters; very common passwords are refused."
                value={password}
                onInput={setPassword}
                error={found.newPassword}
                required
              />
              <Field
                name="confirm"
                label="New password again"
                type="password"
                autoComplete="new-password"
                value={confirm}
                onInput={setConfirm}
                error={found.confirm}
                required
              />
            </>
          )}
        </Form>
      )}
    </Page>
  );
}
