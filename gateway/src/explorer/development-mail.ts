import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DevelopmentInbox, KeptMail } from '@bastion/platform';
import { staticPageCsp } from './landing-page';
import type { ExplorerMode } from './routes';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}' +
  'article{border-top:1px solid #ccc;padding:.5rem 0}dl{display:grid;grid-template-columns:max-content 1fr;gap:0 1rem;margin:0}' +
  'dt{color:#555}dd{margin:0}pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:.75rem}code{font-size:90%}';

/** The development mail pages' policy: the landing page's, with their own stylesheet. */
export const DEVELOPMENT_MAIL_CSP = staticPageCsp(STYLE);

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text as HTML text or attribute value: every character that could start markup or end a quote. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const LINK = /\bhttps?:\/\/[^\s<>"'`]+/g;

/** A plain-text body as HTML: escaped, its http(s) links made clickable (no other scheme is). */
export function linkify(text: string): string {
  let html = '';
  let last = 0;
  for (const match of text.matchAll(LINK)) {
    html += escapeHtml(text.slice(last, match.index));
    const url = escapeHtml(match[0]);
    html += `<a href="${url}">${url}</a>`;
    last = match.index + match[0].length;
  }
  return html + escapeHtml(text.slice(last));
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>${escapeHtml(title)}</title>
    <style>${STYLE}</style>
  </head>
  <body>
${body}
  </body>
</html>
`;
}

/** GET /dev/inbox: every kept message, newest first, unmasked, links clickable. */
export function inboxPage(mails: readonly KeptMail[], limit: number): string {
  const items = mails.map(
    (mail) => `    <article>
      <dl>
        <dt>To</dt><dd>${escapeHtml(mail.to)}</dd>
        <dt>From</dt><dd>${escapeHtml(mail.from)} (${escapeHtml(mail.service)})</dd>
        <dt>Subject</dt><dd><strong>${escapeHtml(mail.subject)}</strong></dd>
        <dt>Time</dt><dd><time datetime="${escapeHtml(mail.at)}">${escapeHtml(mail.at)}</time></dd>
      </dl>
      <pre>${linkify(mail.text)}</pre>
    </article>`,
  );
  return page(
    'Development inbox',
    `    <h1>Development inbox</h1>
    <p>Mail the platform sent without <code>SMTP_URL</code>, newest first (the last ${limit} are kept under
    <code>DATA_DIR</code>). Not served in production nor when <code>SMTP_URL</code> is set.
    <a href="/dev/inbox">Reload</a> · <a href="/">Home</a></p>
${items.length > 0 ? items.join('\n') : '    <p>No mail yet. Register a user and come back.</p>'}`,
  );
}

/** The outcome page of /verify-email. */
export function verifiedPage(outcome: { ok: true } | { ok: false; message: string }): string {
  return page(
    outcome.ok ? 'Email verified' : 'Email not verified',
    outcome.ok
      ? `    <h1>Email verified</h1>
    <p>The address is verified (or, for an address change, the account now has the new address).
    Sign in again, or refresh your session, to get an access token that says so.</p>
    <p><a href="/dev/inbox">Back to the inbox</a> · <a href="/graphql">Open the explorer</a></p>`
      : `    <h1>Email not verified</h1>
    <p>${escapeHtml(outcome.message)}</p>
    <p><a href="/dev/inbox">Back to the inbox</a></p>`,
  );
}

/** A page that opens the explorer with an operation filled in (reset password, accept an invitation). */
export function operationPage(options: {
  title: string;
  explanation: string;
  operation: string;
  explorer: ExplorerMode;
}): string {
  const { title, explanation, operation, explorer } = options;
  const open =
    explorer === 'graphiql'
      ? `<p><a href="/graphql?${escapeHtml(new URLSearchParams({ query: operation }).toString())}">Open it in the explorer</a>, then run it (Ctrl-Enter).</p>`
      : '<p>Run it with any GraphQL client against <code>/graphql</code>.</p>';
  return page(
    title,
    `    <h1>${escapeHtml(title)}</h1>
    <p>${escapeHtml(explanation)}</p>
    <pre>${escapeHtml(operation)}</pre>
    ${open}
    <p><a href="/dev/inbox">Back to the inbox</a></p>`,
  );
}

/** A GraphQL string literal for a token from a URL (JSON strings are valid GraphQL strings). */
const literal = (value: string) => JSON.stringify(value);

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

export interface DevelopmentMailOptions {
  inbox: DevelopmentInbox;
  explorer: ExplorerMode;
  /** Runs verifyEmail(token) through this gateway, as an anonymous caller. */
  verifyEmail(
    token: string,
    req: IncomingMessage,
  ): Promise<{ ok: true } | { ok: false; message: string }>;
  limit: number;
}

function sendHtml(res: ServerResponse, status: number, html: string): void {
  res.setHeader('content-security-policy', DEVELOPMENT_MAIL_CSP);
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
  });
  res.end(html);
}

const tokenOf = (req: IncomingMessage) =>
  new URL(req.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';

/**
 * Development only (never in production, never with SMTP_URL): the inbox, and the pages the links
 * in its mail point at when APP_URL is unset (docs/operations.md "The development inbox").
 */
export function developmentMailRoutes(options: DevelopmentMailOptions): Record<string, Handler> {
  return {
    '/dev/inbox': async (_req, res) =>
      sendHtml(res, 200, inboxPage(await options.inbox.list(), options.limit)),
    // What a newcomer expects from a verification link: opening it verifies the address.
    '/verify-email': async (req, res) => {
      const token = tokenOf(req);
      const outcome = token
        ? await options.verifyEmail(token, req)
        : { ok: false as const, message: 'The link has no token.' };
      sendHtml(res, outcome.ok ? 200 : 400, verifiedPage(outcome));
    },
    // A new password is the user's to choose: the explorer opens with the mutation to complete.
    '/reset-password': (req, res) =>
      sendHtml(
        res,
        200,
        operationPage({
          title: 'Reset your password',
          explanation:
            'Replace the new password below (10 to 128 characters) and run the mutation; every session of the account is signed out.',
          operation: `mutation {\n  resetPassword(token: ${literal(tokenOf(req))}, newPassword: "choose a long passphrase")\n}\n`,
          explorer: options.explorer,
        }),
      ),
    // Accepting needs the invited user signed in: the explorer opens with the mutation, headers to add.
    '/accept-invitation': (req, res) =>
      sendHtml(
        res,
        200,
        operationPage({
          title: 'Accept the invitation',
          explanation:
            'Sign in as the invited, verified user (login), put {"Authorization": "Bearer <accessToken>"} in the Headers tab, then run the mutation.',
          operation: `mutation {\n  acceptInvitation(token: ${literal(tokenOf(req))}) {\n    role\n    organization { id name }\n  }\n}\n`,
          explorer: options.explorer,
        }),
      ),
  };
}
