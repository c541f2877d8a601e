import { useState } from 'preact/hooks';
import { useMutation, useQuery } from '@urql/preact';
import { problemOf } from '../../api/errors';
import { useStepUp } from '../../api/step-up';
import { Link, navigate, type RouteProps } from '../../router';
import {
  Button,
  Empty,
  ErrorText,
  Loading,
  Notice,
  Page,
  Pager,
  QueryError,
  Section,
} from '../../ui';
import { ORG_REASONS, SecretOnce, SelectField, When, withReasons } from '../orgs/controls';
import { EndpointForm, endpointProblem } from './endpoint-form';
import {
  DeleteWebhookEndpoint,
  ReplayWebhookDelivery,
  RotateWebhookSecret,
  SendTestWebhook,
  UpdateWebhookEndpoint,
  WebhookEndpointDetail,
} from './operations';

const STATUS_WORDS: Record<string, string> = {
  PENDING: 'Pending',
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
};

export function EndpointPage({ params }: RouteProps) {
  const organizationId = params.id ?? '';
  const id = params.endpointId ?? '';
  const [status, setStatus] = useState('');
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, fetching, error }, refetch] = useQuery({
    query: WebhookEndpointDetail,
    variables: { id, status: (status || null) as 'PENDING' | 'SUCCEEDED' | 'FAILED' | null, after },
  });
  const [, update] = useMutation(UpdateWebhookEndpoint);
  const [, remove] = useMutation(DeleteWebhookEndpoint);
  const [, rotate] = useMutation(RotateWebhookSecret);
  const [, sendTest] = useMutation(SendTestWebhook);
  const [, replay] = useMutation(ReplayWebhookDelivery);
  const [secret, setSecret] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const endpoint = data?.webhookEndpoint;
  const reload = () => refetch({ requestPolicy: 'network-only' });
  const act = async (name: string, action: () => Promise<string | null>) => {
    setBusy(name);
    setProblem(null);
    setNotice(null);
    const words = await action();
    setBusy(null);
    if (words) setProblem(words);
  };
  const words = (error: Parameters<typeof problemOf>[0]) =>
    withReasons(problemOf(error), ORG_REASONS)?.message ?? null;
  // Rotating the secret needs a recent sign-in: the step-up form, then the rotation again.
  const stepUp = useStepUp();

  if (fetching && !data)
    return (
      <Page title="Webhook endpoint">
        <Loading />
      </Page>
    );
  if (!endpoint)
    return (
      <Page title="Webhook endpoint">
        <QueryError error={error} />
        {!error && <Empty>This endpoint does not exist any more.</Empty>}
        <p>
          <Link to={`/orgs/${organizationId}/webhooks`}>All endpoints</Link>
        </p>
      </Page>
    );
  const deliveries = endpoint.deliveries.edges.map((edge) => edge.node);
  return (
    <Page title="Webhook endpoint">
      <p>
        <Link to={`/orgs/${organizationId}/webhooks`}>All endpoints</Link>
      </p>
      <p class="meta">
        <code>{endpoint.url}</code> · {endpoint.enabled ? 'Enabled' : 'Disabled'} · added{' '}
        <When at={endpoint.createdAt} />
      </p>
      {notice && <Notice kind="success">{notice}</Notice>}
      <ErrorText message={problem} />
      {stepUp.form}
      {secret && (
        <SecretOnce label="The new signing secret." value={secret}>
          <p class="hint">The old secret keeps signing beside it for 24 hours.</p>
        </SecretOnce>
      )}
      <div class="actions">
        <Button
          kind="secondary"
          busy={busy === 'test'}
          onClick={() =>
            act('test', async () => {
              const result = await sendTest({ id });
              if (result.error)
                return problemOf(result.error)?.code === 'CONFLICT'
                  ? 'A disabled endpoint gets no test event: enable it first.'
                  : words(result.error);
              setNotice(
                'A webhook.ping event is on its way; it appears in the delivery log below.',
              );
              reload();
              return null;
            })
          }
        >
          Send test event
        </Button>
        <Button
          kind="secondary"
          busy={busy === 'rotate'}
          onClick={() =>
            act('rotate', async () => {
              if (
                !window.confirm(
                  'Make a new signing secret? The old one keeps working for 24 hours.',
                )
              )
                return null;
              const problem = await stepUp.run(async () => {
                const result = await rotate({ id });
                if (result.error) return withReasons(problemOf(result.error), ORG_REASONS);
                setSecret(result.data?.rotateWebhookSecret ?? null);
                return null;
              });
              return problem?.message ?? null;
            })
          }
        >
          Rotate secret
        </Button>
        <Button
          kind="danger"
          busy={busy === 'delete'}
          onClick={() =>
            act('delete', async () => {
              if (!window.confirm('Delete this endpoint and its delivery log?')) return null;
              const result = await remove({ id });
              if (result.error) return words(result.error);
              navigate(`/orgs/${organizationId}/webhooks`);
              return null;
            })
          }
        >
          Delete
        </Button>
      </div>
      <Section title="Delivery log">
        <SelectField
          name="status"
          label="Show"
          value={status}
          onInput={(value) => {
            setStatus(value);
            setAfter(null);
          }}
          options={[
            { value: '', label: 'All deliveries' },
            { value: 'PENDING', label: 'Pending' },
            { value: 'SUCCEEDED', label: 'Succeeded' },
            { value: 'FAILED', label: 'Failed' },
          ]}
        />
        <div class="actions">
          <Button kind="secondary" onClick={reload}>
            Refresh
          </Button>
        </div>
        {deliveries.length === 0 ? (
          <Empty>No deliveries{status ? ' with this status' : ''} yet.</Empty>
        ) : (
          <ul class="rows deliveries">
            {deliveries.map((delivery) => {
              const last = delivery.attempts[delivery.attempts.length - 1];
              return (
                <li key={delivery.id} class="row delivery">
                  <div class="row-main">
                    <strong>{delivery.eventType}</strong>
                    <span class="meta">
                      <span class={`status ${delivery.status.toLowerCase()}`}>
                        {STATUS_WORDS[delivery.status] ?? delivery.status}
                      </span>{' '}
                      · {delivery.attempts.length} attempt
                      {delivery.attempts.length === 1 ? '' : 's'}
                      {last &&
                        ` · last: ${last.responseStatus !== null && last.responseStatus !== undefined ? `HTTP ${last.responseStatus}` : (last.error ?? 'no answer')} in ${last.durationMs} ms`}
                      {delivery.nextAttemptAt && (
                        <>
                          {' '}
                          · next attempt <When at={delivery.nextAttemptAt} />
                        </>
                      )}{' '}
                      · <When at={delivery.createdAt} />
                    </span>
                    <code class="meta id" title="webhook-id">
                      {delivery.eventId}
                    </code>
                  </div>
                  <Button
                    kind="secondary"
                    busy={busy === delivery.id}
                    aria-label={`Replay the ${delivery.eventType} delivery`}
                    onClick={() =>
                      act(delivery.id, async () => {
                        const result = await replay({ id: delivery.id });
                        if (result.error) return words(result.error);
                        setNotice(`The ${delivery.eventType} delivery is being sent again.`);
                        reload();
                        return null;
                      })
                    }
                  >
                    Replay
                  </Button>
                </li>
              );
            })}
          </ul>
        )}
        <Pager after={after} pageInfo={endpoint.deliveries.pageInfo} onPage={setAfter} />
      </Section>
      {data && (
        <Section title="Settings">
          <EndpointForm
            key={endpoint.id}
            initial={{
              url: endpoint.url,
              description: endpoint.description ?? '',
              eventTypes: [...endpoint.eventTypes],
              enabled: endpoint.enabled,
            }}
            eventTypes={data.webhookEventTypes}
            submitLabel="Save"
            showEnabled
            onSubmit={async (values) => {
              setNotice(null);
              const result = await update({
                id,
                input: {
                  url: values.url,
                  eventTypes: values.eventTypes,
                  description: values.description.trim() || null,
                  enabled: values.enabled,
                },
              });
              const found = endpointProblem(withReasons(problemOf(result.error), ORG_REASONS));
              if (found) return found;
              setNotice('Saved.');
              return null;
            }}
          />
        </Section>
      )}
    </Page>
  );
}
