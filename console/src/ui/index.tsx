import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { problemOf, type ApiProblem } from '../api/errors';
import type { CombinedError } from '@urql/core';

/**
 * The console's building blocks. Forms validate before sending (`validate` returns words per
 * field), show the API's coded errors in words (api/error-messages.ts), and never a raw error.
 * Styles are classes in ui/styles.css only: the CSP refuses inline styles.
 */

/** A page's heading and the document title. */
export function Page(props: { title: string; children: ComponentChildren; intro?: string }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${props.title} · Bastion console`;
    // Focus moves to the new page's heading, so keyboard and screen reader users start there.
    heading.current?.focus();
  }, [props.title]);
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1} ref={heading}>
        {props.title}
      </h1>
      {props.intro && <p class="intro">{props.intro}</p>}
      {props.children}
    </section>
  );
}

/** A titled group on a page (a card). */
export function Section(props: { title: string; children: ComponentChildren; id?: string }) {
  const id = useId();
  return (
    <section class="card" aria-labelledby={id} id={props.id}>
      <h2 id={id}>{props.title}</h2>
      {props.children}
    </section>
  );
}

/** An error in words, announced to screen readers; nothing when `message` is empty. */
export function ErrorText(props: { message?: string | null; id?: string }) {
  if (!props.message) return null;
  return (
    <p class="error" role="alert" id={props.id}>
      {props.message}
    </p>
  );
}

/** A success or information message, announced politely. */
export function Notice(props: { children: ComponentChildren; kind?: 'success' | 'info' }) {
  return (
    <p class={`notice ${props.kind ?? 'info'}`} role="status">
      {props.children}
    </p>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {props.label ?? 'Loading…'}
    </p>
  );
}

export function Empty(props: { children: ComponentChildren }) {
  return <p class="empty">{props.children}</p>;
}

/** The words for a urql error (or nothing); see api/errors.ts. */
export function QueryError(props: { error?: CombinedError | null }) {
  const problem = problemOf(props.error);
  return <ErrorText message={problem?.message} />;
}

export function Button(
  props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & {
    kind?: 'primary' | 'secondary' | 'danger' | 'link';
    busy?: boolean;
  },
) {
  const { kind = 'primary', busy, children, disabled, type, ...rest } = props;
  return (
    <button
      {...rest}
      type={type ?? 'button'}
      class={`button ${kind}`}
      disabled={Boolean(disabled) || busy}
      aria-busy={busy ? 'true' : undefined}
    >
      {children}
    </button>
  );
}

/**
 * "Newest / Older" under a list read newest first by cursor: Newest goes back to the first page
 * (shown once paged), Older reads the page after `pageInfo.endCursor` (shown while there is one).
 */
export function Pager(props: {
  /** The cursor the shown page starts after; null on the first page. */
  after: string | null;
  pageInfo?: { hasNextPage: boolean; endCursor?: string | null } | null;
  onPage: (after: string | null) => void;
}) {
  const { after, pageInfo, onPage } = props;
  return (
    <div class="actions">
      {after && (
        <Button kind="secondary" onClick={() => onPage(null)}>
          Newest
        </Button>
      )}
      {pageInfo?.hasNextPage && (
        <Button kind="secondary" onClick={() => onPage(pageInfo.endCursor ?? null)}>
          Older
        </Button>
      )}
    </div>
  );
}

export interface FieldProps {
  /** The form value's name (also the key of `errors` and of the API's fieldErrors). */
  name: string;
  label: string;
  value: string;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'password' | 'url' | 'number' | 'search';
  autoComplete?: string;
  hint?: string;
  error?: string;
  required?: boolean;
  inputMode?: 'numeric' | 'text' | 'email';
  maxLength?: number;
  placeholder?: string;
  autoFocus?: boolean;
}

/** A labelled input with its hint and error tied to it (aria-describedby, aria-invalid). */
export function Field(props: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint && hintId, props.error && errorId].filter(Boolean).join(' ');
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint && (
        <p class="hint" id={hintId}>
          {props.hint}
        </p>
      )}
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        onInput={(event) => props.onInput(event.currentTarget.value)}
        autoComplete={props.autoComplete}
        required={props.required}
        inputMode={props.inputMode}
        maxLength={props.maxLength}
        placeholder={props.placeholder}
        autoFocus={props.autoFocus}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy || undefined}
      />
      {props.error && (
        <p class="field-error" id={errorId}>
          {props.error}
        </p>
      )}
    </div>
  );
}

/** What a form's submit returns: nothing when done, or the problem to show. */
export type SubmitResult = ApiProblem | null | void;

/**
 * A form that validates before sending: `validate()` returns words per field (empty: valid); then
 * `onSubmit()` runs (busy meanwhile) and may return an ApiProblem, shown as words above the button
 * with the API's fieldErrors beside their fields. Field errors go to `errors` for the <Field>s.
 */
export function Form(props: {
  onSubmit: () => Promise<SubmitResult> | SubmitResult;
  validate?: () => Record<string, string>;
  submitLabel: string;
  children: (errors: Record<string, string>) => ComponentChildren;
  /** Shown beside the submit button (a secondary action, a link). */
  actions?: ComponentChildren;
  label?: string;
}) {
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  return (
    <form
      ref={form}
      class="form"
      noValidate
      aria-label={props.label}
      onSubmit={async (event) => {
        event.preventDefault();
        if (busy) return;
        const found = props.validate?.() ?? {};
        setErrors(found);
        setMessage(null);
        if (Object.keys(found).length > 0) {
          setMessage('Check the fields marked below.');
          // The first invalid field gets the focus.
          form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
          return;
        }
        setBusy(true);
        try {
          const problem = await props.onSubmit();
          if (problem) {
            setErrors(problem.fieldErrors);
            setMessage(problem.message);
          }
        } finally {
          setBusy(false);
        }
      }}
    >
      {props.children(errors)}
      <ErrorText message={message} />
      <div class="actions">
        <Button type="submit" busy={busy}>
          {busy ? 'Working…' : props.submitLabel}
        </Button>
        {props.actions}
      </div>
    </form>
  );
}

/** Common checks, returning words or undefined. */
export const check = {
  required: (value: string, what: string) => (value.trim() ? undefined : `Enter ${what}.`),
  email: (value: string) =>
    !value.trim()
      ? 'Enter your email address.'
      : /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value.trim())
        ? undefined
        : 'Enter an email address like name@example.com.',
  /** The API's rule: 10 to 128 characters (docs/api.md). */
  newPassword: (value: string) =>
    value.length < 10
      ? 'Use at least 10 characters.'
      : value.length > 128
        ? 'Use at most 128 characters.'
        : undefined,
  /** Six digits from an authenticator app. */
  totpCode: (value: string) =>
    /^\d{6}$/.test(value.replace(/\s/g, '')) ? undefined : 'Enter the 6-digit code.',
};

/** Drops the undefined entries: `errors({ email: check.email(email) })`. */
export function errors(found: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(found).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
}
