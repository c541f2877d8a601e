import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { problemOf } from '../../api/errors';
import { useStepUp } from '../../api/step-up';
import { Link, type RouteProps } from '../../router';
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
  errors,
} from '../../ui';
import {
  CheckboxField,
  ORG_REASONS,
  SelectField,
  TextAreaField,
  When,
  roleOptions,
  withReasons,
  type RoleName,
} from '../orgs/controls';
import {
  AddSsoDomain,
  CreateSsoConnection,
  DeleteSsoConnection,
  RemoveSsoDomain,
  SsoSettings,
  UpdateSsoConnection,
  VerifySsoDomain,
} from './operations';

const words = (error: Parameters<typeof problemOf>[0], overrides: Record<string, string> = {}) =>
  withReasons(problemOf(error, overrides), ORG_REASONS);

type StepUp = ReturnType<typeof useStepUp>;

export function SsoPage({ params }: RouteProps) {
  const organizationId = params.id ?? '';
  const [{ data, fetching, error }, refetch] = useQuery({
    query: SsoSettings,
    variables: { organizationId },
  });
  const reload = () => refetch({ requestPolicy: 'network-only' });
  // Every SSO setting needs a recent sign-in: the step-up form, then the change again.
  const stepUp = useStepUp();
  return (
    <Page
      title="Single sign-on"
      intro="Members with an address at a verified domain can sign in through your identity provider (SAML or OpenID Connect)."
    >
      <p>
        <Link to={`/orgs/${organizationId}`}>
          Back to {data?.organization?.name ?? 'the organization'}
        </Link>
      </p>
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {stepUp.form}
      {data && (
        <Domains
          organizationId={organizationId}
          domains={data.ssoDomains}
          onChanged={reload}
          stepUp={stepUp}
        />
      )}
      {data && (
        <Connections
          organizationId={organizationId}
          connections={data.ssoConnections}
          stepUp={stepUp}
          onChanged={reload}
        />
      )}
    </Page>
  );
}

/** A DNS name of two or more labels (letters, digits, inner hyphens), like example.com. */
function isDomainName(value: string): boolean {
  const labels = value.toLowerCase().split('.');
  return (
    value.length <= 253 &&
    labels.length >= 2 &&
    labels.every(
      (label) => /^[a-z0-9-]{1,63}$/.test(label) && !label.startsWith('-') && !label.endsWith('-'),
    ) &&
    /^[a-z]{2,}$/.test(labels[labels.length - 1] ?? '')
  );
}

type DomainRow = {
  id: string;
  domain: string;
  txtRecordName: string;
  txtRecordValue: string;
  verified: boolean;
  verifiedAt?: string | null;
};

function Domains(props: {
  organizationId: string;
  domains: readonly DomainRow[];
  stepUp: StepUp;
  onChanged: () => void;
}) {
  const [domain, setDomain] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [, add] = useMutation(AddSsoDomain);
  const [, verify] = useMutation(VerifySsoDomain);
  const [, remove] = useMutation(RemoveSsoDomain);
  return (
    <Section title="Domains">
      <ErrorText message={problem} />
      {props.domains.length === 0 ? (
        <Empty>No domains yet.</Empty>
      ) : (
        <ul class="rows">
          {props.domains.map((d) => (
            <li key={d.id} class="row">
              <div class="row-main">
                <strong>{d.domain}</strong>
                {d.verified ? (
                  <span class="meta">
                    Verified <When at={d.verifiedAt} />
                  </span>
                ) : (
                  <span class="meta">
                    Not verified: publish a TXT record <code>{d.txtRecordName}</code> with the value{' '}
                    <code>{d.txtRecordValue}</code>, then verify.
                  </span>
                )}
              </div>
              {!d.verified && (
                <Button
                  kind="secondary"
                  onClick={async () => {
                    setProblem(null);
                    const found = await props.stepUp.run(async () => {
                      const result = await verify({ id: d.id });
                      props.onChanged();
                      return words(result.error, { CONFLICT: ORG_REASONS.DOMAIN_TAKEN! });
                    });
                    if (found) setProblem(found.message);
                  }}
                >
                  Verify {d.domain}
                </Button>
              )}
              <Button
                kind="danger"
                onClick={async () => {
                  if (!window.confirm(`Remove ${d.domain}? It routes no sign-in from then on.`))
                    return;
                  setProblem(null);
                  const found = await props.stepUp.run(async () => {
                    const result = await remove({ id: d.id });
                    props.onChanged();
                    return words(result.error);
                  });
                  if (found) setProblem(found.message);
                }}
              >
                Remove {d.domain}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <Form
        submitLabel="Add domain"
        label="Add a domain"
        validate={() =>
          errors({
            domain: isDomainName(domain.trim())
              ? undefined
              : 'Enter a domain name like example.com.',
          })
        }
        onSubmit={() =>
          props.stepUp.run(async () => {
            const result = await add({
              organizationId: props.organizationId,
              domain: domain.trim().toLowerCase(),
            });
            const found = words(result.error, {
              CONFLICT: 'This organization has this domain already.',
            });
            if (found) return found;
            setDomain('');
            props.onChanged();
            return null;
          })
        }
      >
        {(found) => (
          <Field
            name="domain"
            label="Domain"
            value={domain}
            onInput={setDomain}
            error={found.domain}
          />
        )}
      </Form>
    </Section>
  );
}

type ConnectionRow = {
  id: string;
  kind: string;
  name: string;
  enabled: boolean;
  enforced: boolean;
  jitProvisioning: boolean;
  defaultRole?: string | null;
  samlIdpEntityId?: string | null;
  oidcIssuer?: string | null;
  spEntityId?: string | null;
  acsUrl?: string | null;
  oidcRedirectUri?: string | null;
};

function Connections(props: {
  organizationId: string;
  connections: readonly ConnectionRow[];
  stepUp: StepUp;
  onChanged: () => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);
  const [, update] = useMutation(UpdateSsoConnection);
  const [, remove] = useMutation(DeleteSsoConnection);
  const change = async (id: string, input: { enabled?: boolean; enforced?: boolean }) => {
    setProblem(null);
    const found = await props.stepUp.run(async () => {
      const result = await update({ id, input });
      props.onChanged();
      return words(result.error);
    });
    if (found) setProblem(found.message);
  };
  return (
    <Section title="Identity providers">
      <ErrorText message={problem} />
      {props.connections.length === 0 ? (
        <Empty>No identity provider yet.</Empty>
      ) : (
        <ul class="rows">
          {props.connections.map((c) => (
            <li key={c.id} class="row">
              <div class="row-main">
                <strong>
                  {c.name} ({c.kind})
                </strong>
                <span class="meta">
                  {c.enabled ? 'Enabled' : 'Disabled'} ·{' '}
                  {c.enforced ? 'required for the domains' : 'optional'} ·{' '}
                  {c.jitProvisioning
                    ? 'creates accounts at first sign-in'
                    : 'existing accounts only'}
                </span>
                {c.spEntityId && (
                  <span class="meta">
                    Entity id (audience): <code>{c.spEntityId}</code>
                  </span>
                )}
                {c.acsUrl && (
                  <span class="meta">
                    Assertion consumer service URL: <code>{c.acsUrl}</code>
                  </span>
                )}
                {c.oidcRedirectUri && (
                  <span class="meta">
                    Redirect URI: <code>{c.oidcRedirectUri}</code>
                  </span>
                )}
              </div>
              <Button kind="secondary" onClick={() => change(c.id, { enabled: !c.enabled })}>
                {c.enabled ? `Disable ${c.name}` : `Enable ${c.name}`}
              </Button>
              <Button kind="secondary" onClick={() => change(c.id, { enforced: !c.enforced })}>
                {c.enforced ? `Stop requiring ${c.name}` : `Require ${c.name}`}
              </Button>
              <Button
                kind="danger"
                onClick={async () => {
                  if (
                    !window.confirm(
                      `Remove ${c.name}? Its users keep their accounts and memberships.`,
                    )
                  )
                    return;
                  setProblem(null);
                  const found = await props.stepUp.run(async () => {
                    const result = await remove({ id: c.id });
                    props.onChanged();
                    return words(result.error);
                  });
                  if (found) setProblem(found.message);
                }}
              >
                Remove {c.name}
              </Button>
            </li>
          ))}
        </ul>
      )}
      <NewConnection
        organizationId={props.organizationId}
        onCreated={props.onChanged}
        stepUp={props.stepUp}
      />
    </Section>
  );
}

function NewConnection(props: { organizationId: string; onCreated: () => void; stepUp: StepUp }) {
  const [kind, setKind] = useState<'SAML' | 'OIDC'>('SAML');
  const [name, setName] = useState('');
  const [metadata, setMetadata] = useState('');
  const [issuer, setIssuer] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [defaultRole, setDefaultRole] = useState('VIEWER');
  const [jit, setJit] = useState(true);
  const [done, setDone] = useState<string | null>(null);
  const [, create] = useMutation(CreateSsoConnection);
  return (
    <>
      <h3>Add an identity provider</h3>
      {done && <Notice kind="success">{done}</Notice>}
      <Form
        submitLabel="Add identity provider"
        label="Add an identity provider"
        validate={() =>
          errors({
            name: !name.trim()
              ? 'Enter a name.'
              : name.trim().length > 100
                ? 'Use at most 100 characters.'
                : undefined,
            samlMetadataXml:
              kind === 'SAML' && !metadata.includes('EntityDescriptor')
                ? "Paste the identity provider's metadata XML (an EntityDescriptor)."
                : undefined,
            oidcIssuer:
              kind === 'OIDC' && !URL.canParse(issuer.trim()) ? 'Enter the issuer URL.' : undefined,
            oidcClientId: kind === 'OIDC' && !clientId.trim() ? 'Enter the client id.' : undefined,
            oidcClientSecret:
              kind === 'OIDC' && !clientSecret ? 'Enter the client secret.' : undefined,
          })
        }
        onSubmit={() =>
          props.stepUp.run(async () => {
            setDone(null);
            const result = await create({
              organizationId: props.organizationId,
              input: {
                kind,
                name: name.trim(),
                jitProvisioning: jit,
                defaultRole: defaultRole as RoleName,
                ...(kind === 'SAML'
                  ? { samlMetadataXml: metadata }
                  : {
                      oidcIssuer: issuer.trim(),
                      oidcClientId: clientId.trim(),
                      oidcClientSecret: clientSecret,
                    }),
              },
            });
            const found = words(result.error);
            if (found) return found;
            setDone(
              `${name.trim()} is added. Enter the values shown above at your identity provider.`,
            );
            setName('');
            setMetadata('');
            setClientSecret('');
            props.onCreated();
            return null;
          })
        }
      >
        {(found) => (
          <>
            <SelectField
              name="kind"
              label="Protocol"
              value={kind}
              onInput={(value) => setKind(value === 'OIDC' ? 'OIDC' : 'SAML')}
              options={[
                { value: 'SAML', label: 'SAML 2.0' },
                { value: 'OIDC', label: 'OpenID Connect' },
              ]}
            />
            <Field
              name="name"
              label="Name"
              value={name}
              onInput={setName}
              error={found.name}
              maxLength={100}
            />
            {kind === 'SAML' ? (
              <TextAreaField
                name="samlMetadataXml"
                label="Identity provider metadata (XML)"
                value={metadata}
                onInput={setMetadata}
                rows={6}
                error={found.samlMetadataXml}
              />
            ) : (
              <>
                <Field
                  name="oidcIssuer"
                  label="Issuer URL"
                  type="url"
                  value={issuer}
                  onInput={setIssuer}
                  error={found.oidcIssuer}
                />
                <Field
                  name="oidcClientId"
                  label="Client id"
                  value={clientId}
                  onInput={setClientId}
                  error={found.oidcClientId}
                />
                <Field
                  name="oidcClientSecret"
                  label="Client secret"
                  type="password"
                  autoComplete="off"
                  value={clientSecret}
                  onInput={setClientSecret}
                  error={found.oidcClientSecret}
                  hint="Stored encrypted; never shown again."
                />
              </>
            )}
            <SelectField
              name="defaultRole"
              label="Role of members in no mapped group"
              value={defaultRole}
              onInput={setDefaultRole}
              options={roleOptions}
            />
            <CheckboxField
              name="jitProvisioning"
              label="Create an account and membership at a person's first sign-in"
              checked={jit}
              onChange={setJit}
            />
          </>
        )}
      </Form>
    </>
  );
}
