import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { problemOf } from '../../api/errors';
import { useStepUp } from '../../api/step-up';
import { useSession } from '../../api/session';
import { Link, navigate, type RouteProps } from '../../router';
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
import {
  CheckboxField,
  ORG_REASONS,
  SelectField,
  When,
  roleName,
  roleOptions,
  withReasons,
  type RoleName,
} from './controls';
import {
  ChangeMemberRole,
  DeleteOrganization,
  InviteMember,
  OrganizationInvitations,
  OrganizationMembers,
  OrganizationMembersMfa,
  OrganizationOverview,
  RemoveMember,
  RenameOrganization,
  RevokeInvitation,
  SetRequireMfa,
} from './operations';
import { useSwitchOrganization } from './organizations';

const problemWords = (error: Parameters<typeof problemOf>[0], overrides = {}) =>
  withReasons(problemOf(error, overrides), ORG_REASONS);

export function OrganizationPage({ params }: RouteProps) {
  const id = params.id ?? '';
  const session = useSession();
  const [{ data, fetching, error }] = useQuery({ query: OrganizationOverview, variables: { id } });
  const org = data?.organization;
  const meId = data?.me?.id ?? session?.user.id ?? '';
  const isAdmin = org?.myRole === 'ADMIN';
  const switchTo = useSwitchOrganization();
  const [switchProblem, setSwitchProblem] = useState<string | null>(null);
  const active = session?.claims.org === id;

  if (fetching && !data)
    return (
      <Page title="Organization">
        <Loading />
      </Page>
    );
  if (!org)
    return (
      <Page title="Organization">
        <QueryError error={error} />
        {!error && <Empty>This organization does not exist, or you are not a member.</Empty>}
        <p>
          <Link to="/orgs">All organizations</Link>
        </p>
      </Page>
    );
  return (
    <Page title={org.name}>
      <p class="meta">
        Slug <code>{org.slug}</code> · your role: {roleName(org.myRole)} · created{' '}
        <When at={org.createdAt} />
      </p>
      <p>
        {active ? (
          <span class="badge">Active organization</span>
        ) : (
          <Button
            kind="secondary"
            onClick={async () => {
              const problem = await switchTo(id);
              setSwitchProblem(problem?.message ?? null);
            }}
          >
            Make active
          </Button>
        )}
      </p>
      <ErrorText message={switchProblem} />
      {isAdmin && (
        <nav aria-label="Organization settings" class="subnav">
          <ul>
            <li>
              <Link to={`/orgs/${id}/webhooks`}>Webhooks</Link>
            </li>
            <li>
              <Link to={`/orgs/${id}/audit`}>Audit log</Link>
            </li>
            <li>
              <Link to={`/orgs/${id}/sso`}>Single sign-on</Link>
            </li>
          </ul>
        </nav>
      )}
      <Members organizationId={id} meId={meId} isAdmin={isAdmin} />
      {isAdmin && <Invitations organizationId={id} />}
      {isAdmin && <RequireMfa organizationId={id} required={org.requireMfa} />}
      {isAdmin && <Rename organizationId={id} current={org.name} />}
      {isAdmin && <Delete organizationId={id} name={org.name} />}
    </Page>
  );
}

function Members(props: { organizationId: string; meId: string; isAdmin: boolean }) {
  const variables = { id: props.organizationId };
  const [{ data, fetching, error }, refetch] = useQuery({ query: OrganizationMembers, variables });
  const [mfa] = useQuery({ query: OrganizationMembersMfa, variables, pause: !props.isAdmin });
  const members = data?.organization?.members ?? [];
  const mfaOf = new Map(
    (mfa.data?.organization?.members ?? []).map((m) => [m.user.id, m.mfaEnabled]),
  );
  return (
    <Section title="Members">
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {data && members.length === 0 && <Empty>No members.</Empty>}
      {members.length > 0 && (
        <ul class="rows">
          {members.map((member) => (
            <MemberRow
              key={member.user.id}
              organizationId={props.organizationId}
              userId={member.user.id}
              role={member.role}
              joinedAt={member.joinedAt}
              mfaEnabled={props.isAdmin ? mfaOf.get(member.user.id) : undefined}
              isMe={member.user.id === props.meId}
              isAdmin={props.isAdmin}
              onChanged={() => refetch({ requestPolicy: 'network-only' })}
            />
          ))}
        </ul>
      )}
      {!props.isAdmin && (
        <p class="hint">Only admins see who has a second factor, and change roles.</p>
      )}
    </Section>
  );
}

function MemberRow(props: {
  organizationId: string;
  userId: string;
  role: string;
  joinedAt: string;
  mfaEnabled?: boolean | null;
  isMe: boolean;
  isAdmin: boolean;
  onChanged: () => void;
}) {
  const [role, setRole] = useState(props.role);
  const [message, setMessage] = useState<{ kind: 'error' | 'done'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [, changeRole] = useMutation(ChangeMemberRole);
  const [, remove] = useMutation(RemoveMember);
  const stepUp = useStepUp();
  // Other members' profiles are theirs alone (User fields are owner-only): a member is shown by id.
  const who = props.isMe ? 'You' : `Member ${props.userId.slice(0, 8)}`;
  const run = async (action: () => Promise<string | null>) => {
    setBusy(true);
    setMessage(null);
    const problem = await action();
    setBusy(false);
    if (problem) setMessage({ kind: 'error', text: problem });
  };
  return (
    <li class="row member" data-user-id={props.userId}>
      <div class="row-main">
        <strong>{who}</strong>
        <span class="meta">
          {roleName(props.role)} · joined <When at={props.joinedAt} />
          {props.mfaEnabled !== undefined &&
            ` · second factor: ${props.mfaEnabled === null ? 'unknown' : props.mfaEnabled ? 'yes' : 'no'}`}
        </span>
        <code class="meta id" title="User id">
          {props.userId}
        </code>
      </div>
      {props.isAdmin && (
        <div class="row-actions">
          <SelectField
            name="role"
            label={props.isMe ? 'Your role' : `Role of ${who}`}
            value={role}
            onInput={setRole}
            options={roleOptions}
          />
          <Button
            kind="secondary"
            busy={busy}
            disabled={role === props.role}
            onClick={() =>
              run(async () => {
                // Granting ADMIN needs a recent sign-in: the step-up form, then the change again.
                const problem = await stepUp.run(async () => {
                  const result = await changeRole({
                    organizationId: props.organizationId,
                    userId: props.userId,
                    role: role as RoleName,
                  });
                  const found = problemWords(result.error, {
                    CONFLICT:
                      'An organization keeps at least one admin: make someone else admin first.',
                  });
                  if (found) return found;
                  setMessage({ kind: 'done', text: `Role changed to ${roleName(role)}.` });
                  props.onChanged();
                  return null;
                });
                return problem?.message ?? null;
              })
            }
          >
            Change role
          </Button>
        </div>
      )}
      {(props.isAdmin || props.isMe) && (
        <Button
          kind="danger"
          busy={busy}
          onClick={() => {
            const question = props.isMe
              ? 'Leave this organization?'
              : `Remove ${who} from this organization?`;
            if (!window.confirm(question)) return;
            void run(async () => {
              const result = await remove({
                organizationId: props.organizationId,
                userId: props.userId,
              });
              const problem = problemWords(result.error, {
                CONFLICT:
                  'An organization keeps at least one admin: make someone else admin first.',
              });
              if (problem) return problem.message;
              if (props.isMe) navigate('/orgs');
              else props.onChanged();
              return null;
            });
          }}
        >
          {props.isMe ? 'Leave' : 'Remove'}
        </Button>
      )}
      {stepUp.form}
      {message?.kind === 'error' && <ErrorText message={message.text} />}
      {message?.kind === 'done' && <Notice kind="success">{message.text}</Notice>}
    </li>
  );
}

function Invitations(props: { organizationId: string }) {
  const [{ data, fetching, error }, refetch] = useQuery({
    query: OrganizationInvitations,
    variables: { id: props.organizationId },
  });
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<string>('VIEWER');
  const [sent, setSent] = useState<string | null>(null);
  const [revokeProblem, setRevokeProblem] = useState<string | null>(null);
  const [, invite] = useMutation(InviteMember);
  const [, revoke] = useMutation(RevokeInvitation);
  const stepUp = useStepUp();
  const invitations = data?.organization?.invitations ?? [];
  return (
    <Section title="Invitations">
      <p class="hint">
        An invitation is mailed with a link that works once, for 7 days, for that address only.
        Inviting the same address again replaces its open invitation.
      </p>
      {sent && <Notice kind="success">{sent}</Notice>}
      <Form
        submitLabel="Send invitation"
        label="Invite a member"
        validate={() => errors({ email: check.email(email) })}
        onSubmit={() =>
          // Inviting an ADMIN needs a recent sign-in: the step-up form, then the invitation again.
          stepUp.run(async () => {
            setSent(null);
            const result = await invite({
              organizationId: props.organizationId,
              email: email.trim(),
              role: role as RoleName,
            });
            const problem = problemWords(result.error);
            if (problem) return problem;
            setSent(`Invitation mailed to ${email.trim()}.`);
            setEmail('');
            refetch({ requestPolicy: 'network-only' });
            return null;
          })
        }
      >
        {(found) => (
          <>
            <Field
              name="email"
              label="Email address"
              type="email"
              autoComplete="off"
              value={email}
              onInput={setEmail}
              error={found.email}
              required
            />
            <SelectField
              name="role"
              label="Role"
              value={role}
              onInput={setRole}
              options={roleOptions}
              error={found.role}
            />
          </>
        )}
      </Form>
      {stepUp.form}
      <h3>Open invitations</h3>
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      <ErrorText message={revokeProblem} />
      {data && invitations.length === 0 && <Empty>No open invitations.</Empty>}
      {invitations.length > 0 && (
        <ul class="rows">
          {invitations.map((invitation) => (
            <li key={invitation.id} class="row">
              <div class="row-main">
                <strong>{invitation.email}</strong>
                <span class="meta">
                  {roleName(invitation.role)} · expires <When at={invitation.expiresAt} />
                </span>
              </div>
              <Button
                kind="danger"
                aria-label={`Revoke the invitation of ${invitation.email}`}
                onClick={async () => {
                  setRevokeProblem(null);
                  const result = await revoke({ id: invitation.id });
                  const problem = problemWords(result.error);
                  if (problem) setRevokeProblem(problem.message);
                  refetch({ requestPolicy: 'network-only' });
                }}
              >
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

function RequireMfa(props: { organizationId: string; required: boolean }) {
  const [required, setRequired] = useState(props.required);
  const [done, setDone] = useState<string | null>(null);
  const [, set] = useMutation(SetRequireMfa);
  const stepUp = useStepUp();
  return (
    <Section title="Second factor">
      {done && <Notice kind="success">{done}</Notice>}
      {stepUp.form}
      <Form
        submitLabel="Save"
        label="Require a second factor"
        onSubmit={() =>
          stepUp.run(async () => {
            setDone(null);
            const result = await set({ organizationId: props.organizationId, required });
            const problem = problemWords(result.error);
            if (problem) return problem;
            setDone(
              result.data?.setOrganizationRequireMfa.requireMfa
                ? 'Members must now have used a second factor in their session.'
                : 'Members no longer need a second factor here.',
            );
            return null;
          })
        }
      >
        {() => (
          <CheckboxField
            name="requireMfa"
            label="Require members to sign in with a second factor"
            checked={required}
            onChange={setRequired}
            hint="Members whose session did not use TOTP or a passkey cannot reach the organization. Turning it on needs your own session to have used one."
          />
        )}
      </Form>
    </Section>
  );
}

function Rename(props: { organizationId: string; current: string }) {
  const [name, setName] = useState(props.current);
  const [done, setDone] = useState<string | null>(null);
  const [, rename] = useMutation(RenameOrganization);
  return (
    <Section title="Name">
      {done && <Notice kind="success">{done}</Notice>}
      <Form
        submitLabel="Rename"
        label="Rename the organization"
        validate={() =>
          errors({
            name:
              check.required(name, 'a name') ??
              (name.trim().length > 100 ? 'Use at most 100 characters.' : undefined),
          })
        }
        onSubmit={async () => {
          const result = await rename({ id: props.organizationId, name: name.trim() });
          const problem = problemWords(result.error);
          if (problem) return problem;
          setDone(`Renamed; the slug is now ${result.data?.updateOrganization.slug ?? ''}.`);
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
          />
        )}
      </Form>
    </Section>
  );
}

function Delete(props: { organizationId: string; name: string }) {
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [, remove] = useMutation(DeleteOrganization);
  const session = useSession();
  const switchTo = useSwitchOrganization();
  // Deleting needs a recent sign-in: the step-up form, then the deletion again.
  const stepUp = useStepUp();
  return (
    <Section title="Delete the organization">
      <p class="hint">
        Its memberships, invitations and webhook endpoints go with it. Its audit log is kept for
        operators.
      </p>
      <ErrorText message={problem} />
      {stepUp.form}
      <Button
        kind="danger"
        busy={busy}
        onClick={async () => {
          if (!window.confirm(`Delete ${props.name} for every member? This cannot be undone.`))
            return;
          setBusy(true);
          setProblem(null);
          const found = await stepUp.run(async () => {
            const result = await remove({ id: props.organizationId });
            const words = problemWords(result.error);
            if (words) return words;
            // A session switched into it goes back to personal.
            if (session?.claims.org === props.organizationId) await switchTo(null);
            navigate('/orgs');
            return null;
          });
          setBusy(false);
          if (found) setProblem(found.message);
        }}
      >
        Delete {props.name}
      </Button>
    </Section>
  );
}
