import { useState } from 'preact/hooks';
import type { ApiProblem } from '../../api/errors';
import { Field, Form, type SubmitResult } from '../../ui';
import { CheckboxField, CheckboxGroup, TextAreaField } from '../orgs/controls';

export interface EndpointValues {
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
}

/** The API's words for an endpoint's refused fields (docs/api.md "Webhooks"), by `reason`. */
const URL_REASONS: Record<string, string> = {
  SCHEME: 'Use an http or https URL.',
  INVALID: 'This is not a URL.',
  HTTPS_REQUIRED: 'Use https.',
  CREDENTIALS: 'Leave the user name and password out of the URL.',
  TOO_LONG: 'Use at most 2048 characters.',
  UNRESOLVABLE: 'This host name does not resolve.',
  REFUSED_ADDRESS: 'This address is not allowed (a private or reserved network).',
};

/** Checks what the API checks, before sending. */
export function validateEndpoint(values: EndpointValues): Record<string, string> {
  const found: Record<string, string> = {};
  const url = values.url.trim();
  if (!url) found.url = 'Enter the URL that receives the events.';
  else if (url.length > 2048) found.url = URL_REASONS.TOO_LONG!;
  else if (!URL.canParse(url)) found.url = 'Enter a full URL, like https://example.com/webhooks.';
  else {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      found.url = URL_REASONS.SCHEME!;
    else if (parsed.username || parsed.password) found.url = URL_REASONS.CREDENTIALS!;
  }
  if (values.eventTypes.length === 0) found.eventTypes = 'Choose at least one event type.';
  else if (values.eventTypes.length > 50) found.eventTypes = 'Choose at most 50 event types.';
  if (values.description.length > 500) found.description = 'Use at most 500 characters.';
  return found;
}

/** The API's problem with its reason turned into words beside the URL field. */
export function endpointProblem(problem: ApiProblem | null): ApiProblem | null {
  if (!problem) return null;
  const reason = problem.extensions.reason;
  if (typeof reason === 'string' && URL_REASONS[reason])
    return { ...problem, fieldErrors: { ...problem.fieldErrors, url: URL_REASONS[reason]! } };
  return problem;
}

export function EndpointForm(props: {
  initial: EndpointValues;
  eventTypes: readonly { name: string; description: string }[];
  submitLabel: string;
  showEnabled?: boolean;
  onSubmit: (values: EndpointValues) => Promise<SubmitResult>;
}) {
  const [url, setUrl] = useState(props.initial.url);
  const [description, setDescription] = useState(props.initial.description);
  const [eventTypes, setEventTypes] = useState<string[]>(props.initial.eventTypes);
  const [enabled, setEnabled] = useState(props.initial.enabled);
  const values = { url: url.trim(), description, eventTypes, enabled };
  return (
    <Form
      submitLabel={props.submitLabel}
      validate={() => validateEndpoint(values)}
      onSubmit={() => props.onSubmit(values)}
    >
      {(found) => (
        <>
          <Field
            name="url"
            label="URL"
            type="url"
            value={url}
            onInput={setUrl}
            error={found.url}
            hint="Events are POSTed here, signed as Standard Webhooks says."
            required
          />
          <TextAreaField
            name="description"
            label="Description (optional)"
            value={description}
            onInput={setDescription}
            rows={2}
            maxLength={500}
            error={found.description}
          />
          <CheckboxGroup
            name="eventTypes"
            legend="Events to send"
            options={props.eventTypes.map((t) => ({
              value: t.name,
              label: t.name,
              hint: t.description,
            }))}
            selected={eventTypes}
            onChange={setEventTypes}
            error={found.eventTypes}
          />
          {props.showEnabled && (
            <CheckboxField
              name="enabled"
              label="Enabled"
              checked={enabled}
              onChange={setEnabled}
              hint="Turning a disabled endpoint on again also clears why the platform turned it off."
            />
          )}
        </>
      )}
    </Form>
  );
}
