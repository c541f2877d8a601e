import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import type { ApiProblem } from '../../api/errors';
import './pages.css';

/**
 * Form controls the organization, credits, AI and webhook pages share beside ui/'s Field: a
 * labelled select, a labelled textarea, a checkbox and a group of checkboxes, each with its hint
 * and error tied to it as ui/'s Field does (aria-describedby, aria-invalid).
 */

function describedBy(id: string, hint?: string, error?: string): string | undefined {
  return [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
}

function HintAndError(props: { id: string; hint?: string; error?: string; before?: boolean }) {
  return (
    <>
      {props.hint && (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      )}
      {props.error && (
        <p class="field-error" id={`${props.id}-error`}>
          {props.error}
        </p>
      )}
    </>
  );
}

export function SelectField(props: {
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  options: readonly { value: string; label: string }[];
  hint?: string;
  error?: string;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select
        id={id}
        name={props.name}
        value={props.value}
        onChange={(event) => props.onInput(event.currentTarget.value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <HintAndError id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

export function TextAreaField(props: {
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  hint?: string;
  error?: string;
  rows?: number;
  maxLength?: number;
}) {
  const id = useId();
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 4}
        maxLength={props.maxLength}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(id, props.hint, props.error)}
      />
      <HintAndError id={id} hint={props.hint} error={props.error} />
    </div>
  );
}

export function CheckboxField(props: {
  name: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: string;
}) {
  const id = useId();
  return (
    <div class="field checkbox">
      <input
        id={id}
        type="checkbox"
        name={props.name}
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
        aria-describedby={props.hint ? `${id}-hint` : undefined}
      />
      <label for={id}>{props.label}</label>
      <HintAndError id={id} hint={props.hint} />
    </div>
  );
}

/** Several checkboxes under one legend (a fieldset), e.g. the event types an endpoint receives. */
export function CheckboxGroup(props: {
  name: string;
  legend: string;
  options: readonly { value: string; label: string; hint?: string }[];
  selected: readonly string[];
  onChange: (selected: string[]) => void;
  error?: string;
}) {
  const id = useId();
  return (
    <fieldset
      class="field group"
      aria-describedby={props.error ? `${id}-error` : undefined}
      aria-invalid={props.error ? 'true' : undefined}
    >
      <legend>{props.legend}</legend>
      {props.error && (
        <p class="field-error" id={`${id}-error`}>
          {props.error}
        </p>
      )}
      <ul class="checks">
        {props.options.map((option) => (
          <li key={option.value}>
            <input
              id={`${id}-${option.value}`}
              type="checkbox"
              name={props.name}
              value={option.value}
              checked={props.selected.includes(option.value)}
              onChange={(event) =>
                props.onChange(
                  event.currentTarget.checked
                    ? [...props.selected, option.value]
                    : props.selected.filter((value) => value !== option.value),
                )
              }
            />
            <label for={`${id}-${option.value}`}>
              <code>{option.label}</code>
              {option.hint && <span class="hint"> {option.hint}</span>}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}

/** A secret shown this once (an endpoint's signing secret), with what to do with it. */
export function SecretOnce(props: { label: string; value: string; children?: ComponentChildren }) {
  const id = useId();
  return (
    <div class="secret-once" role="status">
      <p id={id}>
        <strong>{props.label}</strong> It is shown this once: store it now.
      </p>
      <input
        class="secret-value"
        readOnly
        value={props.value}
        aria-labelledby={id}
        onFocus={(event) => event.currentTarget.select()}
      />
      {props.children}
    </div>
  );
}

/** A date and time in the reader's locale; the raw value stays in the title for exactness. */
export function When(props: { at: string | null | undefined }) {
  if (!props.at) return <span>—</span>;
  const date = new Date(props.at);
  return (
    <time dateTime={props.at} title={props.at}>
      {date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })}
    </time>
  );
}

/**
 * A problem's words, preferring these pages' words for its `extensions.reason` (the shared map in
 * api/error-messages.ts covers the codes).
 */
export function withReasons(
  problem: ApiProblem | null,
  reasons: Record<string, string>,
): ApiProblem | null {
  if (!problem) return null;
  const reason = problem.extensions.reason;
  const words = typeof reason === 'string' ? reasons[reason] : undefined;
  return words ? { ...problem, message: words } : problem;
}

/** Reasons organization, webhook and SSO operations answer (docs/api.md), in words. */
export const ORG_REASONS: Record<string, string> = {
  ADMIN_REQUIRED: 'Only the organization’s admins can do this.',
  INVITER_NO_LONGER_AUTHORIZED:
    'The person who invited you may no longer invite at this role. Ask an admin for a new invitation.',
  MFA_REQUIRED_BY_ORGANIZATION:
    'This organization requires a second factor: set one up under Security and sign in with it.',
  ENDPOINT_LIMIT:
    'This organization has as many webhook endpoints as it may have. Delete one first.',
  DNS_RECORD_NOT_FOUND:
    'The TXT record was not found yet. Publish it at your DNS provider, wait a few minutes, and try again.',
  DOMAIN_TAKEN: 'Another organization has verified this domain.',
  IMPERSONATION_READ_ONLY: 'A support session is read-only.',
};

export const ROLES = ['ADMIN', 'EDITOR', 'VIEWER'] as const;
export type RoleName = (typeof ROLES)[number];

export const ROLE_WORDS: Record<RoleName, string> = {
  ADMIN: 'Admin: manages members and settings',
  EDITOR: 'Editor: changes content',
  VIEWER: 'Viewer: reads',
};

export const roleOptions = ROLES.map((role) => ({ value: role, label: ROLE_WORDS[role] }));

/** "Admin", "Editor", "Viewer". */
export function roleName(role: string | null | undefined): string {
  return role ? role.charAt(0) + role.slice(1).toLowerCase() : '—';
}
