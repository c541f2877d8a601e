import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { startSession } from '../../api/client';
import { problemOf } from '../../api/errors';
import { useSession } from '../../api/session';
import { Link, navigate } from '../../router';
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
import { ORG_REASONS, roleName, withReasons } from './controls';
import { CreateOrganization, MyOrganizations, SwitchOrganization } from './operations';

/** Switches the session into an organization (null: personal); the new tokens carry it. */
export function useSwitchOrganization() {
  const [, run] = useMutation(SwitchOrganization);
  return async (organizationId: string | null) => {
    const result = await run({ organizationId });
    const problem = withReasons(problemOf(result.error), ORG_REASONS);
    if (!problem && result.data) startSession(result.data.switchOrganization);
    return problem;
  };
}

export function OrganizationsPage() {
  const session = useSession();
  const [{ data, fetching, error }, refetch] = useQuery({ query: MyOrganizations });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [switchProblem, setSwitchProblem] = useState<string | null>(null);
  const [switching, setSwitching] = useState<string | null>(null);
  const [, create] = useMutation(CreateOrganization);
  const switchTo = useSwitchOrganization();
  const active = session?.claims.org ?? null;
  const organizations = data?.myOrganizations ?? [];
  const activeName = organizations.find((org) => org.id === active)?.name;

  const doSwitch = async (id: string | null) => {
    setSwitching(id ?? 'personal');
    setSwitchProblem(null);
    const problem = await switchTo(id);
    setSwitching(null);
    if (problem) setSwitchProblem(problem.message);
  };

  return (
    <Page
      title="Organizations"
      intro="Organizations you belong to. The active one is the organization your session acts in: credits you buy and AI generations you make are reported to its webhooks."
    >
      <p class="active-org" aria-live="polite">
        Active:{' '}
        <strong>{active ? (activeName ?? 'an organization') : 'personal (no organization)'}</strong>
        {active && (
          <>
            {' '}
            <Button kind="link" busy={switching === 'personal'} onClick={() => doSwitch(null)}>
              Switch to personal
            </Button>
          </>
        )}
      </p>
      <ErrorText message={switchProblem} />
      <Section title="Your organizations">
        {fetching && !data && <Loading />}
        <QueryError error={error} />
        {data && organizations.length === 0 && (
          <Empty>You are in no organization yet. Create one below, or accept an invitation.</Empty>
        )}
        {organizations.length > 0 && (
          <ul class="rows">
            {organizations.map((org) => (
              <li key={org.id} class="row">
                <div class="row-main">
                  <Link to={`/orgs/${org.id}`}>{org.name}</Link>
                  <span class="meta">
                    {org.slug} · your role: {roleName(org.myRole)}
                  </span>
                </div>
                {org.id === active ? (
                  <span class="badge">Active</span>
                ) : (
                  <Button
                    kind="secondary"
                    busy={switching === org.id}
                    onClick={() => doSwitch(org.id)}
                    aria-label={`Switch to ${org.name}`}
                  >
                    Switch to
                  </Button>
                )}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Create an organization">
        {created && <Notice kind="success">{created}</Notice>}
        <Form
          submitLabel="Create organization"
          validate={() =>
            errors({
              name:
                check.required(name, 'a name') ??
                (name.trim().length > 100 ? 'Use at most 100 characters.' : undefined),
            })
          }
          onSubmit={async () => {
            const result = await create({ name: name.trim() });
            const problem = problemOf(result.error, {
              RATE_LIMITED: 'You have created as many organizations as you may today.',
            });
            if (problem) return problem;
            const org = result.data?.createOrganization;
            if (!org) return null;
            setName('');
            setCreated(`${org.name} is created; you are its admin.`);
            refetch({ requestPolicy: 'network-only' });
            navigate(`/orgs/${org.id}`);
            return null;
          }}
        >
          {(found) => (
            <Field
              name="name"
              label="Name"
              value={name}
              onInput={setName}
              error={found.name}
              maxLength={100}
              required
            />
          )}
        </Form>
      </Section>
    </Page>
  );
}
