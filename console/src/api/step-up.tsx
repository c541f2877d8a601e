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
