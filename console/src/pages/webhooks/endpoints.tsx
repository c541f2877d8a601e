import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { problemOf } from '../../api/errors';
import { useStepUp } from '../../api/step-up';
import { Link, type RouteProps } from '../../router';
import { Empty, Loading, Page, QueryError, Section } from '../../ui';
import { ORG_REASONS, SecretOnce, When, withReasons } from '../orgs/controls';
import { EndpointForm, endpointProblem } from './endpoint-form';
import { CreateWebhookEndpoint, WebhookEndpoints } from './operations';

export function EndpointsPage({ params }: RouteProps) {
  const organizationId = params.id ?? '';
  const [{ data, fetching, error }, refetch] = useQuery({
    query: WebhookEndpoints,
    variables: { organizationId },
  });
  const [, create] = useMutation(CreateWebhookEndpoint);
  const [created, setCreated] = useState<{ id: string; url: string; secret: string } | null>(null);
  const [formKey, setFormKey] = useState(0);
  const stepUp = useStepUp();
  const org = data?.organization;
  const endpoints = org?.webhookEndpoints ?? [];
  return (
    <Page
      title="Webhooks"
      intro="Endpoints receive this organization's events, signed with their secret (Standard Webhooks). Each delivery is retried until it succeeds or its attempts run out."
    >
      <p>
        <Link to={`/orgs/${organizationId}`}>Back to {org?.name ?? 'the organization'}</Link>
      </p>
      {fetching && !data && <Loading />}
      <QueryError error={error} />
      {created && (
        <SecretOnce label={`Signing secret of ${created.url}.`} value={created.secret}>
          <p>
            <Link to={`/orgs/${organizationId}/webhooks/${created.id}`}>Open the endpoint</Link>
          </p>
        </SecretOnce>
      )}
      {org && (
        <Section title="Endpoints">
          {endpoints.length === 0 ? (
            <Empty>No endpoints yet. Add one below.</Empty>
          ) : (
            <ul class="rows">
              {endpoints.map((endpoint) => (
                <li key={endpoint.id} class="row">
                  <div class="row-main">
                    <Link to={`/orgs/${organizationId}/webhooks/${endpoint.id}`}>
                      {endpoint.url}
                    </Link>
                    <span class="meta">
                      {endpoint.enabled
                        ? 'Enabled'
                        : `Disabled${endpoint.disabledReason ? ` (${endpoint.disabledReason === 'GONE' ? 'it answered 410 Gone' : 'failing for 5 days'})` : ''}`}{' '}
                      · {endpoint.eventTypes.length} event types · added{' '}
                      <When at={endpoint.createdAt} />
                    </span>
                    {endpoint.description && <span class="meta">{endpoint.description}</span>}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Section>
      )}
      {org && data && (
        <Section title="Add an endpoint">
          {stepUp.form}
          <EndpointForm
            key={formKey}
            initial={{ url: '', description: '', eventTypes: [], enabled: true }}
            eventTypes={data.webhookEventTypes}
            submitLabel="Add endpoint"
            onSubmit={(values) =>
              // Registering an endpoint needs a recent sign-in (step-up), then it is sent again.
              stepUp.run(async () => {
                const result = await create({
                  organizationId,
                  input: {
                    url: values.url,
                    eventTypes: values.eventTypes,
                    description: values.description.trim() || null,
                  },
                });
                const problem = endpointProblem(withReasons(problemOf(result.error), ORG_REASONS));
                if (problem) return problem;
                const answer = result.data?.createWebhookEndpoint;
                if (answer)
                  setCreated({
                    id: answer.endpoint.id,
                    url: answer.endpoint.url,
                    secret: answer.secret,
                  });
                setFormKey((key) => key + 1);
                refetch({ requestPolicy: 'network-only' });
                return null;
              })
            }
          />
        </Section>
      )}
    </Page>
  );
}
