import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import type { CombinedError } from '@urql/core';
import { problemOf } from '../../api/errors';
import { useStepUp } from '../../api/step-up';
import { createPasskey, passkeyFailure, passkeysSupported } from '../../api/webauthn';
import { endSession } from '../../api/client';
import { navigate } from '../../router';
import {
  Button,
  Empty,
  ErrorText,
  Field,
  Form,
  Loading,
  Notice,
  Page,
  QueryError,
  Section,
  check,
  errors,
} from '../../ui';
import { QrCode } from '../../ui/qr';
import {
  ChangePassword,
  ConfirmTotp,
  CreateApiKey,
  EnrollTotp,
  PasskeyRegistrationOptions,
  RegenerateRecoveryCodes,
  RegisterPasskey,
  RemoveMfaFactor,
  RevokeApiKey,
  RevokeSession,
  SecurityQuery,
} from './security-data';
import type { SecurityQuery as SecurityData } from '../../generated/graphql';

type Me = NonNullable<SecurityData['me']>;

/** A date and time in the person's locale. */
export function when(value: string | null | undefined): string {
  if (!value) return 'never';
  const date = new Date(value);
  return Number.isNaN(date.getTime())
    ? 'unknown'
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Codes shown once, with what to do with them. */
function ShowOnce(props: { title: string; items: string[]; note: string; onDone: () => void }) {
  return (
    <div class="card" role="region" aria-label={props.title}>
      <h3>{props.title}</h3>
      <p>{props.note}</p>
      <ul class="plain secret" aria-label={props.title}>
        {props.items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
      <div class="actions">
        <Button kind="secondary" onClick={props.onDone}>
          I have saved them
        </Button>
      </div>
    </div>
  );
}

export function SecurityPage() {
  const [{ data, fetching, error }, refetch] = useQuery({ query: SecurityQuery });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const me = data?.me;
  return (
    <Page title="Security" intro="Your password, second factors, sessions and API keys.">
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {me && data && (
        <>
          <PasswordSection />
          <AuthenticatorSection me={me} reload={reload} />
          <PasskeysSection me={me} reload={reload} />
          <RecoveryCodesSection me={me} reload={reload} />
          <SessionsSection sessions={data.sessions} reload={reload} />
          <ApiKeysSection me={me} capabilities={data.apiKeyCapabilities} reload={reload} />
        </>
      )}
    </Page>
  );
}

function PasswordSection() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [done, setDone] = useState(false);
  const [, change] = useMutation(ChangePassword);
  return (
    <Section title="Password">
      {done && (
        <Notice kind="success">
          Your password is changed. Your other sessions are signed out.
        </Notice>
      )}
      <Form
        label="Change password"
        submitLabel="Change password"
        validate={() =>
          errors({
            currentPassword: check.required(current, 'your current password'),
            newPassword: check.newPassword(next),
            confirm: confirm === next ? undefined : 'The two passwords differ.',
          })
        }
        onSubmit={async () => {
          setDone(false);
          const result = await change({ currentPassword: current, newPassword: next });
          const problem = problemOf(result.error, {
            INVALID_CREDENTIALS: 'Your current password is not right.',
          });
          if (problem) return problem;
          setCurrent('');
          setNext('');
          setConfirm('');
          setDone(true);
          return null;
        }}
      >
        {(found) => (
          <>
            <Field
              name="currentPassword"
              label="Current password"
              type="password"
              autoComplete="current-password"
              value={current}
              onInput={setCurrent}
              error={found.currentPassword}
            />
            <Field
              name="newPassword"
              label="New password"
              type="password"
              autoComplete="new-password"
              hint="10 to 128 characters."
              value={next}
              onInput={setNext}
              error={found.newPassword}
            />
            <Field
              name="confirm"
              label="New password again"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onInput={setConfirm}
              error={found.confirm}
            />
          </>
        )}
      </Form>
    </Section>
  );
}

function FactorList(props: { factors: Me['mfaFactors']; reload: () => void; label: string }) {
  const [, remove] = useMutation(RemoveMfaFactor);
  const [message, setMessage] = useState<string | null>(null);
  const steps = useStepUp();
  if (props.factors.length === 0) return null;
  return (
    <>
      <ul class="plain factor-list" aria-label={props.label}>
        {props.factors.map((factor) => (
          <li key={factor.id} class="row">
            <span>
              <strong>{factor.name}</strong>{' '}
              <span class="hint">
                added {when(factor.createdAt)}, last used {when(factor.lastUsedAt)}
              </span>
            </span>
            <Button
              kind="danger"
              aria-label={`Remove ${factor.name}`}
              onClick={async () => {
                setMessage(null);
                const problem = await steps.run(async () =>
                  problemOf((await remove({ id: factor.id })).error),
                );
                if (problem) setMessage(problem.message);
                else props.reload();
              }}
            >
              Remove
            </Button>
          </li>
        ))}
      </ul>
      <ErrorText message={message} />
      {steps.form}
    </>
  );
}

function AuthenticatorSection(props: { me: Me; reload: () => void }) {
  const totp = props.me.mfaFactors.filter((factor) => factor.kind === 'TOTP');
  const [enrollment, setEnrollment] = useState<{
    factorId: string;
    secret: string;
    uri: string;
  } | null>(null);
  const [code, setCode] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [, enroll] = useMutation(EnrollTotp);
  const [, confirmTotp] = useMutation(ConfirmTotp);
  const steps = useStepUp();
  return (
    <Section title="Authenticator app">
      <FactorList factors={totp} reload={props.reload} label="Authenticator apps" />
      {codes && (
        <ShowOnce
          title="Your recovery codes"
          items={codes}
          note="Each code signs you in once if you lose your authenticator. Keep them somewhere safe: they are shown only now."
          onDone={() => setCodes(null)}
        />
      )}
      {!enrollment && totp.length === 0 && (
        <>
          <p>Ask for a 6-digit code from an app on your phone at every sign-in.</p>
          <Button
            onClick={async () => {
              setMessage(null);
              const problem = await steps.run(async () => {
                const result = await enroll({ name: null });
                if (result.data) setEnrollment(result.data.enrollTotp);
                return problemOf(result.error);
              });
              if (problem) setMessage(problem.message);
            }}
          >
            Set up an authenticator app
          </Button>
          <ErrorText message={message} />
          {steps.form}
        </>
      )}
      {enrollment && (
        <>
          <p>Scan this code with your authenticator app, or type the key below into it.</p>
          <QrCode text={enrollment.uri} label="QR code for your authenticator app" />
          <p>
            Key:{' '}
            <code class="secret" data-testid="totp-secret">
              {enrollment.secret}
            </code>
          </p>
          <Form
            label="Confirm the authenticator app"
            submitLabel="Turn on"
            validate={() => errors({ code: check.totpCode(code) })}
            onSubmit={async () => {
              const result = await confirmTotp({
                factorId: enrollment.factorId,
                code: code.replace(/\s/g, ''),
              });
              const problem = problemOf(result.error, {
                INVALID_CREDENTIALS:
                  'That code is not right. Check the time on your phone and try the next one.',
              });
              if (problem) return problem;
              setEnrollment(null);
              setCode('');
              setCodes(result.data?.confirmTotp.recoveryCodes ?? null);
              props.reload();
              return null;
            }}
          >
            {(found) => (
              <Field
                name="code"
                label="Code from the app"
                inputMode="numeric"
                autoComplete="one-time-code"
                value={code}
                onInput={setCode}
                error={found.code}
                maxLength={7}
              />
            )}
          </Form>
        </>
      )}
    </Section>
  );
}

function PasskeysSection(props: { me: Me; reload: () => void }) {
  const passkeys = props.me.mfaFactors.filter((factor) => factor.kind === 'PASSKEY');
  const [name, setName] = useState('');
  const [codes, setCodes] = useState<string[] | null>(null);
  const [added, setAdded] = useState(false);
  const [, options] = useMutation(PasskeyRegistrationOptions);
  const [, register] = useMutation(RegisterPasskey);
  const steps = useStepUp();
  const supported = passkeysSupported();
  return (
    <Section title="Passkeys">
      {passkeys.length === 0 && <Empty>No passkeys yet.</Empty>}
      <FactorList factors={passkeys} reload={props.reload} label="Passkeys" />
      {added && <Notice kind="success">The passkey is added.</Notice>}
      {codes && (
        <ShowOnce
          title="Your recovery codes"
          items={codes}
          note="Each code signs you in once if you lose your passkeys. Keep them somewhere safe: they are shown only now."
          onDone={() => setCodes(null)}
        />
      )}
      {!supported ? (
        <Notice>This browser cannot use passkeys.</Notice>
      ) : (
        <Form
          label="Add a passkey"
          submitLabel="Add a passkey"
          validate={() =>
            errors({ name: name.length > 100 ? 'Use at most 100 characters.' : undefined })
          }
          onSubmit={async () => {
            setAdded(false);
            let failure: string | null = null;
            const problem = await steps.run(async () => {
              const asked = await options({});
              const problem = problemOf(asked.error);
              if (problem || !asked.data) return problem;
              let response: string;
              try {
                response = await createPasskey(asked.data.passkeyRegistrationOptions);
              } catch (error) {
                failure = passkeyFailure(error);
                return null;
              }
              const result = await register({ response, name: name.trim() || null });
              if (result.data) {
                setCodes(result.data.registerPasskey.recoveryCodes ?? null);
                setAdded(true);
                setName('');
                props.reload();
              }
              return problemOf(result.error);
            });
            if (failure)
              return { code: 'PASSKEY', message: failure, fieldErrors: {}, extensions: {} };
            return problem;
          }}
        >
          {(found) => (
            <Field
              name="name"
              label="Name for this passkey (optional)"
              hint="For example, the device it is on."
              value={name}
              onInput={setName}
              error={found.name}
            />
          )}
        </Form>
      )}
      {steps.form}
    </Section>
  );
}

function RecoveryCodesSection(props: { me: Me; reload: () => void }) {
  const [codes, setCodes] = useState<string[] | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [, regenerate] = useMutation(RegenerateRecoveryCodes);
  const steps = useStepUp();
  if (!props.me.mfaEnabled) return null;
  return (
    <Section title="Recovery codes">
      <p>
        {props.me.recoveryCodesRemaining} of your recovery codes are left. New codes replace all the
        old ones.
      </p>
      {codes && (
        <ShowOnce
          title="New recovery codes"
          items={codes}
          note="Keep them somewhere safe: they are shown only now."
          onDone={() => setCodes(null)}
        />
      )}
      <Button
        kind="secondary"
        onClick={async () => {
          setMessage(null);
          const problem = await steps.run(async () => {
            const result = await regenerate({});
            if (result.data) {
              setCodes(result.data.regenerateRecoveryCodes);
              props.reload();
            }
            return problemOf(result.error);
          });
          if (problem) setMessage(problem.message);
        }}
      >
        Make new recovery codes
      </Button>
      <ErrorText message={message} />
      {steps.form}
    </Section>
  );
}

function SessionsSection(props: { sessions: SecurityData['sessions']; reload: () => void }) {
  const [, revoke] = useMutation(RevokeSession);
  const [message, setMessage] = useState<string | null>(null);
  return (
    <Section title="Sessions">
      {props.sessions.length === 0 ? (
        <Empty>No sessions.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Where you are signed in</caption>
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">Address</th>
                <th scope="col">Last active</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {props.sessions.map((session) => (
                <tr key={session.id} data-session={session.id}>
                  <td>
                    {browserName(session.userAgent)}
                    {session.current && <strong> (this session)</strong>}
                  </td>
                  <td>{session.ip ?? 'unknown'}</td>
                  <td>{when(session.lastUsedAt)}</td>
                  <td>
                    <Button
                      kind="danger"
                      aria-label={
                        session.current
                          ? 'Sign out this session'
                          : `Sign out the session of ${browserName(session.userAgent)} last active ${when(session.lastUsedAt)}`
                      }
                      onClick={async () => {
                        setMessage(null);
                        const problem = problemOf((await revoke({ id: session.id })).error);
                        if (problem) {
                          setMessage(problem.message);
                          return;
                        }
                        if (session.current) {
                          endSession();
                          navigate('/sign-in');
                        } else props.reload();
                      }}
                    >
                      Sign out
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorText message={message} />
    </Section>
  );
}

/** A short name for a user agent string ("Chrome on Linux"), or "Unknown device". */
function browserName(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrom(e|ium)\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : 'A browser';
  const system = /Windows/.test(userAgent)
    ? 'Windows'
    : /Android/.test(userAgent)
      ? 'Android'
      : /iPhone|iPad/.test(userAgent)
        ? 'iOS'
        : /Mac OS X/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return system ? `${browser} on ${system}` : browser;
}

function ApiKeysSection(props: { me: Me; capabilities: string[]; reload: () => void }) {
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [secret, setSecret] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [, create] = useMutation(CreateApiKey);
  const [, revoke] = useMutation(RevokeApiKey);
  const steps = useStepUp();
  return (
    <Section title="API keys">
      {!props.me.emailVerified && <Notice>Verify your email address to create API keys.</Notice>}
      {secret && (
        <div class="card" role="region" aria-label="Your new API key">
          <h3>Your new API key</h3>
          <p>Copy it now: it is shown only once. Send it as Authorization: Bearer.</p>
          <p class="secret" data-testid="api-key-secret">
            {secret}
          </p>
          <Button kind="secondary" onClick={() => setSecret(null)}>
            I have copied it
          </Button>
        </div>
      )}
      {props.me.apiKeys.length === 0 ? (
        <Empty>No API keys.</Empty>
      ) : (
        <ul class="plain factor-list" aria-label="API keys">
          {props.me.apiKeys.map((key) => (
            <li key={key.id} class="row">
              <span>
                <strong>{key.name}</strong> <code>{key.prefix}…</code>{' '}
                <span class="hint">
                  {key.capabilities.join(', ') || 'no capabilities'}; last used{' '}
                  {when(key.lastUsedAt)}
                </span>
              </span>
              <Button
                kind="danger"
                aria-label={`Revoke ${key.name}`}
                onClick={async () => {
                  setMessage(null);
                  const problem = problemOf((await revoke({ id: key.id })).error);
                  if (problem) setMessage(problem.message);
                  else props.reload();
                }}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      <ErrorText message={message} />
      <Form
        label="Create an API key"
        submitLabel="Create key"
        validate={() =>
          errors({
            name: check.required(name, 'a name for the key'),
            capabilities: chosen.length === 0 ? 'Choose at least one capability.' : undefined,
          })
        }
        onSubmit={async () => {
          const problem = await steps.run(async () => {
            const result = await create({ input: { name: name.trim(), capabilities: chosen } });
            if (result.data) {
              setSecret(result.data.createApiKey.key);
              setName('');
              setChosen([]);
              props.reload();
            }
            return problemOf(result.error as CombinedError | undefined);
          });
          return problem;
        }}
      >
        {(found) => (
          <>
            <Field
              name="name"
              label="Key name"
              value={name}
              onInput={setName}
              error={found.name}
              maxLength={100}
            />
            <fieldset
              class="field"
              aria-describedby={found.capabilities ? 'caps-error' : undefined}
            >
              <legend>Capabilities</legend>
              {props.capabilities.map((capability) => (
                <label key={capability} class="check">
                  <input
                    type="checkbox"
                    checked={chosen.includes(capability)}
                    onChange={(event) =>
                      setChosen(
                        event.currentTarget.checked
                          ? [...chosen, capability]
                          : chosen.filter((item) => item !== capability),
                      )
                    }
                  />{' '}
                  {capability}
                </label>
              ))}
              {found.capabilities && (
                <p class="field-error" id="caps-error">
                  {found.capabilities}
                </p>
              )}
            </fieldset>
          </>
        )}
      </Form>
      {steps.form}
    </Section>
  );
}
