import { useEffect, useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { graphql } from '../../generated';
import { problemOf } from '../../api/errors';
import { updateSessionUser } from '../../api/session';
import {
  Button,
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

const ProfileQuery = graphql(`
  query Profile {
    me {
      id
      email
      displayName
      emailVerified
      createdAt
    }
  }
`);

const UpdateProfile = graphql(`
  mutation UpdateProfile($input: UpdateProfileInput!) {
    updateProfile(input: $input) {
      id
      displayName
    }
  }
`);

const RequestEmailVerification = graphql(`
  mutation RequestEmailVerification {
    requestEmailVerification
  }
`);

export function ProfilePage() {
  const [{ data, fetching, error }] = useQuery({ query: ProfileQuery });
  const me = data?.me;
  const [displayName, setDisplayName] = useState('');
  const [saved, setSaved] = useState(false);
  const [resent, setResent] = useState<string | null>(null);
  const [resendError, setResendError] = useState<string | null>(null);
  const [, update] = useMutation(UpdateProfile);
  const [, resend] = useMutation(RequestEmailVerification);
  useEffect(() => {
    if (me) setDisplayName(me.displayName ?? '');
  }, [me?.displayName]);
  return (
    <Page title="Profile">
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {me && (
        <>
          <Section title="Your account">
            <dl class="facts">
              <dt>Email</dt>
              <dd>
                {me.email} {me.emailVerified ? '(verified)' : '(not verified yet)'}
              </dd>
              <dt>Member since</dt>
              <dd>{new Date(me.createdAt).toLocaleDateString()}</dd>
            </dl>
            {!me.emailVerified && (
              <>
                <Button
                  kind="secondary"
                  onClick={async () => {
                    setResendError(null);
                    const result = await resend({});
                    const problem = problemOf(result.error);
                    if (problem) setResendError(problem.message);
                    else setResent(`A new link is on its way to ${me.email}.`);
                  }}
                >
                  Mail me a new verification link
                </Button>
                {resent && <Notice kind="success">{resent}</Notice>}
                <ErrorText message={resendError} />
              </>
            )}
          </Section>
          <Section title="Name">
            {saved && <Notice kind="success">Saved.</Notice>}
            <Form
              label="Your name"
              submitLabel="Save"
              validate={() =>
                errors({
                  displayName:
                    displayName.trim().length > 100 ? 'Use at most 100 characters.' : undefined,
                })
              }
              onSubmit={async () => {
                setSaved(false);
                const result = await update({ input: { displayName: displayName.trim() || null } });
                const problem = problemOf(result.error);
                if (problem) return problem;
                updateSessionUser({ displayName: result.data?.updateProfile.displayName ?? null });
                setSaved(true);
                return null;
              }}
            >
              {(found) => (
                <Field
                  name="displayName"
                  label="Display name"
                  hint="Shown to people in your organizations. Leave it empty to remove it."
                  autoComplete="name"
                  value={displayName}
                  onInput={setDisplayName}
                  error={found.displayName}
                />
              )}
            </Form>
          </Section>
        </>
      )}
    </Page>
  );
}
