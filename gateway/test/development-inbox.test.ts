import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DevelopmentInbox, createLogger, developmentInboxDir } from '@bastion/platform';
import {
  PLATFORM_SETUP_MS,
  eventually,
  registerUser,
  startSmtpCapture,
  startTestPlatform,
  type SmtpCapture,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';

const BROWSER = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const PRODUCTION = {
  NODE_ENV: 'production',
  REFRESH_TOKEN_SECRET: 'refresh-secret-for-production-mode-tests-0123',
  MFA_ENCRYPTION_KEY: 'mfa-key-for-production-mode-tests-0123456789',
  WEBHOOKS_ENCRYPTION_KEY: 'webhooks-key-for-production-mode-tests-01234',
  PASSWORD_PEPPER: 'pepper-for-production-mode-tests-0123456789',
  ARGON2_MEMORY_KIB: '19456',
  ARGON2_TIME_COST: '2',
};
const ME = '{ me { email emailVerified } }';
const LOGIN = `mutation ($email: String!, $password: String!) { login(email: $email, password: $password) { accessToken } }`;

const page = (base: string, path: string) =>
  fetch(new URL(path, base), { headers: { accept: BROWSER }, redirect: 'manual' });

/** HTML attribute text back to the URL it encodes (the page escapes & < > " '). */
const unescape = (text: string) =>
  text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The inbox's messages as the page shows them: recipient, subject and the links in the body. */
function messagesOf(html: string): { to: string; subject: string; links: string[] }[] {
  return html
    .split('<article>')
    .slice(1)
    .map((article) => ({
      to: unescape(/<dt>To<\/dt><dd>([^<]*)<\/dd>/.exec(article)?.[1] ?? ''),
      subject: /<dt>Subject<\/dt><dd><strong>(.*?)<\/strong><\/dd>/.exec(article)?.[1] ?? '',
      links: [...article.matchAll(/<a href="([^"]*)">/g)].map(([, href]) => unescape(href!)),
    }));
}

function dataDir(): string {
  return mkdtempSync(join(tmpdir(), 'bastion-inbox-'));
}

async function login(platform: TestPlatform, user: TestUser): Promise<string> {
  const r = await platform.gql<{ login: { accessToken: string } }>(LOGIN, {
    email: user.email,
    password: user.password,
  });
  return r.body.data!.login.accessToken;
}

describe('the development inbox (outside production, SMTP_URL unset)', () => {
  let platform: TestPlatform;
  let dir: string;
  let origin: string;
  beforeAll(async () => {
    dir = dataDir();
    // APP_URL unset and the console off: links point at the gateway's own pages (with the
    // console on they land in it: test/console/sign-up.test.ts).
    platform = await startTestPlatform({ DATA_DIR: dir, APP_URL: '', CONSOLE: 'off' });
    origin = new URL(platform.gateway.url).origin;
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  it("shows each user's verification mail by recipient; following the link verifies that user only", async () => {
    const [ada, bob] = [await registerUser(platform), await registerUser(platform)];
    const inbox = await eventually(async () => {
      const response = await page(origin, '/dev/inbox');
      expect(response.status).toBe(200);
      const messages = messagesOf(await response.text());
      for (const user of [ada, bob])
        expect(messages.some((m) => m.to === user.email && /Verify/.test(m.subject))).toBe(true);
      return messages;
    });
    const linkFor = (user: TestUser) => {
      const mail = inbox.find((m) => m.to === user.email && /Verify/.test(m.subject))!;
      const link = mail.links.find((l) => l.includes('/verify-email?token='));
      expect(link?.startsWith(`${origin}/verify-email?token=`)).toBe(true);
      return link!;
    };
    const adaLink = linkFor(ada);
    expect(adaLink).not.toBe(linkFor(bob));

    const opened = await fetch(adaLink, { headers: { accept: BROWSER } });
    expect(opened.status).toBe(200);
    expect(await opened.text()).toContain('Email verified');
    const verified = async (user: TestUser) =>
      (
        await platform.gql<{ me: { emailVerified: boolean } }>(
          ME,
          {},
          { token: await login(platform, user) },
        )
      ).body.data?.me.emailVerified;
    expect(await verified(ada)).toBe(true);
    expect(await verified(bob)).toBe(false);

    // A used link says so, and changes nothing.
    const again = await fetch(adaLink, { headers: { accept: BROWSER } });
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('Email not verified');

    const bobs = await fetch(linkFor(bob), { headers: { accept: BROWSER } });
    expect(bobs.status).toBe(200);
    expect(await verified(bob)).toBe(true);
  });

  it('keeps orgs mail too: an invitation whose organization name is HTML is shown escaped, its link opens the explorer', async () => {
    const admin = await registerUser(platform, { verified: true });
    const invitee = `invitee-${Date.now()}@example.com`;
    const name = `<script>alert(1)</script><img src=x onerror=alert(2)> & Co`;
    const created = await platform.gql<{ createOrganization: { id: string } }>(
      'mutation ($name: String!) { createOrganization(name: $name) { id } }',
      { name },
      { token: admin.accessToken },
    );
    expect(created.body.errors).toBeUndefined();
    const invited = await platform.gql(
      'mutation ($o: ID!, $e: String!) { inviteMember(organizationId: $o, email: $e, role: VIEWER) { id } }',
      { o: created.body.data!.createOrganization.id, e: invitee },
      { token: admin.accessToken },
    );
    expect(invited.body.errors).toBeUndefined();
    const { html, mail } = await eventually(async () => {
      const html = await (await page(origin, '/dev/inbox')).text();
      const mail = messagesOf(html).find((m) => m.to === invitee);
      expect(mail).toBeDefined();
      return { html, mail: mail! };
    });
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(mail.subject).toBe(
      'You are invited to &lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; &amp; Co',
    );
    const link = mail.links.find((l) => l.startsWith(`${origin}/accept-invitation?token=`));
    expect(link).toBeDefined();
    const token = new URL(link!).searchParams.get('token')!;
    const accept = await fetch(link!, { headers: { accept: BROWSER } });
    expect(accept.status).toBe(200);
    const acceptHtml = await accept.text();
    // The explorer link carries the operation with the token; GraphiQL reads ?query= on load.
    const explorer = [...acceptHtml.matchAll(/<a href="([^"]*)">/g)]
      .map(([, href]) => unescape(href!))
      .find((href) => href.startsWith('/graphql?'));
    const query = new URLSearchParams(explorer!.slice('/graphql?'.length)).get('query');
    expect(query).toContain(`acceptInvitation(token: "${token}")`);
  });

  it('escapes any subject or body it shows and makes only http(s) links clickable', async () => {
    await new DevelopmentInbox(developmentInboxDir(dir)).keep({
      service: 'test',
      from: 'Evil <evil@example.com>',
      to: '"><script>alert(3)</script>@example.com',
      subject: '<b onmouseover="alert(4)">subject</b>',
      text:
        'Body </pre><script>alert(5)</script> javascript:alert(6) http://127.0.0.1/x?a=1&b=2 ' +
        'http://127.0.0.1/y"onclick="alert(7)',
    });
    const response = await page(origin, '/dev/inbox');
    const html = await response.text();
    expect(html).not.toMatch(/<script|<b |onmouseover="|onclick="/);
    expect(html).toContain('&lt;b onmouseover=&quot;alert(4)&quot;&gt;subject&lt;/b&gt;');
    expect(html).toContain('&lt;/pre&gt;&lt;script&gt;alert(5)&lt;/script&gt;');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('<a href="http://127.0.0.1/x?a=1&amp;b=2">');
    // A quote ends a link: it can neither close the attribute nor add one.
    expect(html).toContain('<a href="http://127.0.0.1/y">http://127.0.0.1/y</a>&quot;onclick=');
    // Newest first: this message comes before every earlier one.
    expect(messagesOf(html)[0]?.subject).toContain('subject');
    // The explorer pages' strict policy: no script may run at all, nothing loads from elsewhere.
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).not.toContain('unsafe-inline');
  });

  it('is linked from the landing page, and mail tokens in the reset page are escaped', async () => {
    expect(await (await page(origin, '/')).text()).toContain('href="/dev/inbox"');
    const reset = await page(origin, '/reset-password?token=a"<b>');
    expect(reset.status).toBe(200);
    const html = await reset.text();
    expect(html).not.toContain('<b>');
    expect(html).toContain('resetPassword(token: &quot;a\\&quot;&lt;b&gt;&quot;');
  });

  it('is not served on the internal listener', async () => {
    const internal = new URL(platform.gateway.internalUrl).origin;
    expect((await page(internal, '/dev/inbox')).status).toBe(404);
    expect((await page(internal, '/verify-email?token=x')).status).toBe(404);
  });
});

const INBOX_PATHS = [
  '/dev/inbox',
  '/verify-email?token=x',
  '/reset-password?token=x',
  '/accept-invitation?token=x',
];

describe('no development inbox in production', () => {
  let platform: TestPlatform;
  let dir: string;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = dataDir();
    const logger = createLogger(
      { name: 'bastion', level: 'info' },
      { write: (line: string) => void lines.push(line) },
    );
    platform = await startTestPlatform({ ...PRODUCTION, DATA_DIR: dir, APP_URL: '' }, { logger });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  it('answers 404 on every page, and keeps no mail', async () => {
    const origin = new URL(platform.gateway.url).origin;
    for (const path of INBOX_PATHS) expect((await page(origin, path)).status).toBe(404);
    await registerUser(platform);
    await eventually(async () => expect(lines.join('\n')).toContain('mail not sent'));
    expect(existsSync(developmentInboxDir(dir))).toBe(false);
  });
});

describe('no development inbox when SMTP_URL is set', () => {
  let platform: TestPlatform;
  let smtp: SmtpCapture;
  let dir: string;
  beforeAll(async () => {
    dir = dataDir();
    smtp = await startSmtpCapture();
    platform = await startTestPlatform({ SMTP_URL: smtp.url, DATA_DIR: dir });
  }, PLATFORM_SETUP_MS);
  afterAll(async () => {
    await platform?.stop();
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  }, PLATFORM_SETUP_MS);

  it('sends the mail, keeps none, and answers 404 on every page', async () => {
    const user = await registerUser(platform);
    await smtp.waitFor(user.email, /Verify/);
    expect(existsSync(developmentInboxDir(dir)) && readdirSync(developmentInboxDir(dir))).toBe(
      false,
    );
    const origin = new URL(platform.gateway.url).origin;
    for (const path of INBOX_PATHS) expect((await page(origin, path)).status).toBe(404);
  });
});
