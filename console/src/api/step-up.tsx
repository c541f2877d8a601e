import { useState } from 'preact/hooks';
import { useMutation } from '@urql/preact';
import { graphql } from '../generated';
import { startSession } from './client';
import { problemOf, type ApiProblem } from './errors';
import { Field, Form, Notice, check, errors } from '../ui';

const StepUp = graphql(`
  mutation StepUp($password: String, $code: String) {
    stepUp(password: $password, code: $code) {
      ...SessionFields
    }
  }
`);

/**
 * Shown where an action answered STEP_UP_REQUIRED: the person confirms with the password (and a
 * code when the account has an authenticator app), the session gets a fresh sign-in, and `onDone`
 * runs the action again.
 */
export function StepUpForm(props: { problem: ApiProblem; onDone: () => void }) {
  const methods = Array.isArray(props.problem.extensions.methods)
    ? (props.problem.extensions.methods as unknown[]).map(String)
    : [];
  // With a second factor: a code (TOTP); without: the password (STEP_UP_METHODS in the API).
  const needsCode = methods.includes('TOTP') && !methods.includes('PASSWORD');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [, stepUp] = useMutation(StepUp);
  return (
    <div class="card">
      <Notice>For your security, confirm it is you to go on.</Notice>
      <Form
        label="Confirm it is you"
        submitLabel="Confirm"
        validate={() =>
          errors({
            password: needsCode ? undefined : check.required(password, 'your password'),
            code: needsCode ? check.totpCode(code) : undefined,
          })
        }
        onSubmit={async () => {
          const result = await stepUp(needsCode ? { code: code.replace(/\s/g, '') } : { password });
          const problem = problemOf(result.error);
          if (problem) return problem;
          if (result.data) startSession(result.data.stepUp);
          props.onDone();
          return null;
        }}
      >
        {(found) => (
          <>
            {!needsCode && (
              <Field
                name="password"
                label="Password"
                type="password"
                autoComplete="current-password"
                value={password}
                onInput={setPassword}
                error={found.password}
              />
            )}
            {needsCode && (
              <Field
                name="code"
                label="Code from your authenticator app"
                inputMode="numeric"
                autoComplete="one-time-code"
                value={code}
                onInput={setCode}
                error={found.code}
              />
            )}
          </>
        )}
      </Form>
    </div>
  );
}

/**
 * Runs an action; when the API asks for a recent sign-in (STEP_UP_REQUIRED: a password change,
 * TOTP or passkey changes, API keys, requiring MFA, granting ADMIN, a webhook endpoint's creation
 * or secret rotation, SSO settings) it keeps the action, shows StepUpForm in `form`, and runs the
 * action again once the person confirmed. The security and organization pages share it.
 */
export function useStepUp() {
  const [pending, setPending] = useState<{ problem: ApiProblem; retry: () => void } | null>(null);
  async function run(action: () => Promise<ApiProblem | null>): Promise<ApiProblem | null> {
    const problem = await action();
    if (problem?.code !== 'STEP_UP_REQUIRED') return problem;
    setPending({
      problem,
      retry: () => {
        setPending(null);
        void run(action);
      },
    });
    return null;
  }
  const form = pending ? <StepUpForm problem={pending.problem} onDone={pending.retry} /> : null;
  return { run, form };
}
