import { useState } from 'preact/hooks';
import { useClient, useMutation } from '@urql/preact';
import {
  Login,
  MfaPasskeyOptions,
  PasskeyLogin,
  PasskeyLoginOptions,
  SsoAuthorizationUrl,
  VerifyMfa,
} from '../../api/auth-operations';
import { startSession } from '../../api/client';
import { problemOf, type ApiProblem } from '../../api/errors';
import type { AuthPayloadLike } from '../../api/session';
import { passkeyFailure, passkeysSupported, usePasskey } from '../../api/webauthn';
import { BASE, Link, navigate, safeNext, type RouteProps } from '../../router';
import { Button, ErrorText, Field, Form, Notice, Page, check, errors } from '../../ui';

const passkeyProblem = (error: unknown): ApiProblem => ({
  code: 'PASSKEY',
  message: passkeyFailure(error),
  fieldErrors: {},
  extensions: {},
});

/** Where SSO comes back to (SSO_REDIRECT_URIS must list it: docs/configuration.md). */
export function ssoCallbackUrl(): string {
  return `${location.origin}${BASE}/sso/callback`;
}

/**
 * Sign in: email and password (then a second factor when the account has one: MFA_REQUIRED), a
 * passkey alone, or single sign-on found by the email's domain.
 */
export function SignInPage({ query }: RouteProps) {
  const next = safeNext(query.get('next'));
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [mfaToken, setMfaToken] = useState<string | null>(null);
  const [sso, setSso] = useState(false);
  const [passkeyMessage, setPasskeyMessage] = useState<string | null>(null);
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const [, login] = useMutation(Login);
  const [, passkeyOptions] = useMutation(PasskeyLoginOptions);
  const [, passkeyLogin] = useMutation(PasskeyLogin);
  const done = (payload: AuthPayloadLike) => {
    startSession(payload);
    navigate(next, { replace: true });
  };
  if (mfaToken) return <SecondFactor mfaToken={mfaToken} onDone={done} />;
  if (sso) return <SingleSignOn email={email} onBack={() => setSso(false)} />;
  return (
    <Page title="Sign in">
      {query.get('expired') && <Notice>Your session has ended. Sign in to go on.</Notice>}
      <Form
        label="Sign in with your password"
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
          if (result.data) done(result.data.login);
          return null;
        }}
      >
        {(found) => (
          <>
            <Field
              name="email"
              label="Email"
              type="email"
              autoComplete="username webauthn"
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
      <div class="actions alternatives">
        {passkeysSupported() && (
          <Button
            kind="secondary"
            busy={passkeyBusy}
            onClick={async () => {
              setPasskeyMessage(null);
              setPasskeyBusy(true);
              try {
                const asked = await passkeyOptions({});
                const problem = problemOf(asked.error);
                if (problem || !asked.data) {
                  setPasskeyMessage(problem?.message ?? null);
                  return;
                }
                let response: string;
                try {
                  response = await usePasskey(asked.data.passkeyLoginOptions);
                } catch (error) {
                  setPasskeyMessage(passkeyFailure(error));
                  return;
                }
                const result = await passkeyLogin({ response });
                const refused = problemOf(result.error, {
                  INVALID_CREDENTIALS:
                    'This passkey is not known here. Sign in with your password.',
                });
                if (refused) setPasskeyMessage(refused.message);
                else if (result.data) done(result.data.passkeyLogin);
              } finally {
                setPasskeyBusy(false);
              }
            }}
          >
            Sign in with a passkey
          </Button>
        )}
        <Button kind="secondary" onClick={() => setSso(true)}>
          Use single sign-on
        </Button>
      </div>
      <ErrorText message={passkeyMessage} />
      <p class="links">
        <Link to="/forgot-password">Forgot your password?</Link> ·{' '}
        <Link to={next === '/' ? '/sign-up' : `/sign-up?next=${encodeURIComponent(next)}`}>
          Create an account
        </Link>
      </p>
    </Page>
  );
}

/** The second step: a code from the app, a recovery code, or a passkey. */
function SecondFactor(props: { mfaToken: string; onDone: (payload: AuthPayloadLike) => void }) {
  const [method, setMethod] = useState<'code' | 'recovery'>('code');
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState('');
  const [passkeyMessage, setPasskeyMessage] = useState<string | null>(null);
  const [, verify] = useMutation(VerifyMfa);
  const [, passkeyOptions] = useMutation(MfaPasskeyOptions);
  const finish = async (args: {
    code?: string;
    recoveryCode?: string;
    passkeyResponse?: string;
  }): Promise<ApiProblem | null> => {
    const result = await verify({ mfaToken: props.mfaToken, ...args });
    const problem = problemOf(result.error, {
      INVALID_TOKEN: 'This sign-in took too long. Start again from the sign-in page.',
    });
    if (problem) return problem;
    if (result.data) props.onDone(result.data.verifyMfa);
    return null;
  };
  return (
    <Page title="Second factor">
      {method === 'code' ? (
        <Form
          key="code"
          label="Second factor: code"
          submitLabel="Verify"
          validate={() => errors({ code: check.totpCode(code) })}
          onSubmit={() => finish({ code: code.replace(/\s/g, '') })}
        >
          {(found) => (
            <Field
              name="code"
              label="Code from your authenticator app"
              inputMode="numeric"
              autoComplete="one-time-code"
              value={code}
              onInput={setCode}
              error={found.code}
              maxLength={7}
              required
              autoFocus
            />
          )}
        </Form>
      ) : (
        <Form
          key="recovery"
          label="Second factor: recovery code"
          submitLabel="Use the recovery code"
          validate={() => errors({ recoveryCode: check.required(recovery, 'a recovery code') })}
          onSubmit={() => finish({ recoveryCode: recovery.trim() })}
        >
          {(found) => (
            <Field
              name="recoveryCode"
              label="Recovery code"
              hint="One of the codes you saved when you turned on the second factor. Each works once."
              autoComplete="off"
              value={recovery}
              onInput={setRecovery}
              error={found.recoveryCode}
              required
            />
          )}
        </Form>
      )}
      <div class="actions alternatives">
        <Button kind="link" onClick={() => setMethod(method === 'code' ? 'recovery' : 'code')}>
          {method === 'code' ? 'Use a recovery code instead' : 'Use a code from the app instead'}
        </Button>
        {passkeysSupported() && (
          <Button
            kind="secondary"
            onClick={async () => {
              setPasskeyMessage(null);
              const asked = await passkeyOptions({ mfaToken: props.mfaToken });
              const problem = problemOf(asked.error);
              if (problem || !asked.data) {
                setPasskeyMessage(problem?.message ?? null);
                return;
              }
              try {
                const response = await usePasskey(asked.data.mfaPasskeyOptions);
                const refused = await finish({ passkeyResponse: response });
                if (refused) setPasskeyMessage(refused.message);
              } catch (error) {
                setPasskeyMessage(passkeyProblem(error).message);
              }
            }}
          >
            Use a passkey
          </Button>
        )}
      </div>
      <ErrorText message={passkeyMessage} />
      <p class="links">
        <a href={`${BASE}/sign-in`}>Start again</a>
      </p>
    </Page>
  );
}

/** Single sign-on: the organization's identity provider, found by the email's verified domain. */
function SingleSignOn(props: { email: string; onBack: () => void }) {
  const [email, setEmail] = useState(props.email);
  const client = useClient();
  return (
    <Page
      title="Single sign-on"
      intro="Enter your work email: if your organization signs in through its identity provider, we send you there."
    >
      <Form
        label="Single sign-on"
        submitLabel="Continue"
        validate={() => errors({ email: check.email(email) })}
        onSubmit={async () => {
          const result = await client
            .query(
              SsoAuthorizationUrl,
              { email: email.trim(), redirectUri: ssoCallbackUrl() },
              { requestPolicy: 'network-only' },
            )
            .toPromise();
          const problem = problemOf(result.error, {
            NOT_FOUND: 'No organization signs in with single sign-on for this email domain.',
          });
          if (problem) return problem;
          const url = result.data?.ssoAuthorizationUrl;
          if (url && /^https?:\/\//.test(url)) location.assign(url);
          return null;
        }}
      >
        {(found) => (
          <Field
            name="email"
            label="Work email"
            type="email"
            autoComplete="email"
            value={email}
            onInput={setEmail}
            error={found.email}
            required
          />
        )}
      </Form>
      <p class="links">
        <Button kind="link" onClick={props.onBack}>
          Back to sign in
        </Button>
      </p>
    </Page>
  );
}
