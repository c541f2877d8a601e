import { randomBytes } from 'node:crypto';
import {
  FakeGemini,
  eventually,
  FakeStripe,
  PLATFORM_SETUP_MS,
  geminiStream,
  startSmtpCapture,
  startTestPlatform,
  startWebhookReceiver,
  uniqueEmail,
  type SmtpCapture,
  type TestPlatform,
  type WebhookReceiver,
} from '@bastion/testing';
import {
  consoleUrl,
  launchConsoleBrowser,
  type ConsoleBrowser,
  type ConsolePerson,
} from '../support/console-browser';

/**
 * The console's organization, credits and AI pages as people use them, in Debian's chromium
 * (test/support/console-browser.ts: outside requests refused, axe-core on every page visited, no
 * console error, no CSP violation). Expected figures are worked out by hand from the prices below
 * and docs/configuration.md "Model catalog", never read from the code under test:
 *
 * - Sign-up grant: CREDITS_SIGNUP_GRANT = 100.
 * - Package "starter": 100 credits for $5.00; after paying, 100 + 100 = 200.
 * - Model "test-model": 2 per request, 100 per 1k input, 300 per 1k output, at most 50 output
 *   tokens. The fake Gemini counts a token per word. "Name three rivers" is 3 tokens (the
 *   console estimates 17 characters / 4 = 5): worst case 2 + ceil((3 x 100 + 50 x 300) / 1000) =
 *   2 + ceil(15.3) = 18 (the estimate: 2 + ceil(15.5) = 18). The answer "The Nile, the Amazon,
 *   and the Danube." is 7 tokens: charged 2 + ceil((3 x 100 + 7 x 300) / 1000) = 2 + ceil(2.4) =
 *   5; the balance is then 100 - 5 = 95.
 */
/**
 * CONSOLE_SCREENSHOTS=<directory>: the journeys also save a screenshot of the organization, credits
 * and AI pages there, at a desktop width (the README shows the organization and AI ones:
 * docs/images/console-organization.png, console-ai-playground.png; console-security.png is
 * security.test.ts's TOTP screenshot).
 */
async function screenshot(someone: ConsolePerson, name: string): Promise<void> {
  const directory = process.env.CONSOLE_SCREENSHOTS;
  if (!directory) return;
  await someone.page.setViewportSize({ width: 1100, height: 820 });
  await someone.page.screenshot({ path: `${directory}/console-${name}.png`, fullPage: true });
}

const PACKAGES = [
  { id: 'starter', name: 'Starter', credits: 100, priceCents: 500, currency: 'usd' },
];
const MODELS = [
  {
    id: 'test-model',
    displayName: 'Test model',
    upstreamModel: 'gemini-test',
    creditsPerRequest: 2,
    creditsPer1kInputTokens: 100,
    creditsPer1kOutputTokens: 300,
    maxOutputTokens: 50,
    priceVersion: 'v-test',
  },
];

describe('the console: organizations, credits and the AI playground in a browser', () => {
  let platform: TestPlatform;
  let mail: SmtpCapture;
  let stripe: FakeStripe;
  let gemini: FakeGemini;
  let receiver: WebhookReceiver;
  let browser: ConsoleBrowser;
  const people: ConsolePerson[] = [];
  const url = (path: string) => consoleUrl(platform.gateway.url, path);

  beforeAll(async () => {
    mail = await startSmtpCapture();
    stripe = await new FakeStripe().start();
    gemini = await new FakeGemini().start();
    receiver = await startWebhookReceiver();
    const stripeWebhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
    // The operator's cookie mode for every client: the console works in it too (the other
    // journeys run with REFRESH_COOKIE at its default).
    platform = await startTestPlatform({
      REFRESH_COOKIE: 'true',
      SMTP_URL: mail.url,
      STRIPE_SECRET_KEY: stripe.secretKey,
      STRIPE_WEBHOOK_SECRET: stripeWebhookSecret,
      STRIPE_API_BASE: stripe.url,
      CREDIT_PACKAGES: JSON.stringify(PACKAGES),
      CREDITS_SIGNUP_GRANT: '100',
      GEMINI_API_KEY: gemini.apiKey,
      GEMINI_BASE_URL: gemini.url,
      GEMINI_TIMEOUT_MS: '20000',
      AI_MODELS: JSON.stringify(MODELS),
      // The receiver listens on 127.0.0.1, which the SSRF guard refuses unless told otherwise.
      WEBHOOKS_ALLOW_PRIVATE: 'true',
    });
    // Stripe's hosted checkout page, played by the fake: paying sends the signed webhook to the
    // gateway's /webhooks/stripe and sends the browser back to the console.
    stripe.hostCheckout(
      new URL('/webhooks/stripe', platform.gateway.url).toString(),
      stripeWebhookSecret,
    );
    browser = await launchConsoleBrowser();
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await Promise.all([mail?.close(), stripe?.stop(), gemini?.stop(), receiver?.stop()]);
  }, PLATFORM_SETUP_MS);

  afterEach(() => {
    // Every person of every journey: nothing left the machine, no console error or CSP
    // violation, no serious or critical accessibility violation on any page visited.
    for (const person of people.splice(0)) {
      expect(person.outside).toEqual([]);
      expect(person.problems).toEqual([]);
      expect(person.violations).toEqual([]);
    }
  });

  async function person(): Promise<ConsolePerson> {
    const someone = await browser.person();
    people.push(someone);
    return someone;
  }

  /** Signs up through the console and opens the verification link from the mail. */
  async function signUpAndVerify(someone: ConsolePerson, email: string): Promise<void> {
    const { page } = someone;
    await page.goto(url('/sign-up'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(`pw-${randomBytes(8).toString('hex')}`);
    await someone.checkPage('/sign-up');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: /welcome/i }).waitFor();
    const verification = await mail.waitFor(email, /verify your email/i);
    expect(verification.link).toMatch(/\/console\/verify-email\?token=/);
    await page.goto(verification.link!);
    await page.getByText('Your email address is verified.').waitFor();
    await someone.checkPage('/verify-email');
  }

  it('sign up, verify, create an organization, invite; the invitee accepts in a second browser; the admin changes their role', async () => {
    const alice = await person();
    const aliceEmail = uniqueEmail('alice');
    await signUpAndVerify(alice, aliceEmail);
    const a = alice.page;

    await a.getByRole('link', { name: 'Organizations' }).click();
    await a.getByRole('heading', { level: 1, name: 'Organizations' }).waitFor();
    await a.getByText('You are in no organization yet').waitFor();
    await alice.checkPage();
    // Validation before sending: an empty name is refused in the page.
    await a.getByRole('button', { name: 'Create organization' }).click();
    await a.getByText('Enter a name.').waitFor();
    await a.getByLabel('Name').fill('Acme Rockets');
    await a.getByRole('button', { name: 'Create organization' }).click();
    await a.getByRole('heading', { level: 1, name: 'Acme Rockets' }).waitFor();
    await a.getByText('your role: Admin').waitFor();
    await alice.checkPage();

    const bobEmail = uniqueEmail('bob');
    const invite = a.getByRole('form', { name: 'Invite a member' });
    await invite.getByLabel('Email address').fill('not-an-address');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await invite.getByText('Enter an email address like name@example.com.').waitFor();
    await invite.getByLabel('Email address').fill(bobEmail);
    await invite.getByLabel('Role').selectOption('VIEWER');
    await invite.getByRole('button', { name: 'Send invitation' }).click();
    await a.getByText(`Invitation mailed to ${bobEmail}.`).waitFor();
    await a.getByRole('listitem').filter({ hasText: bobEmail }).waitFor();
    await alice.checkPage();

    // Bob, on another device, has no account yet: the link from the invitation, then sign-up
    // from there, which brings him back to the invitation; he verifies his address in another
    // tab (as a mail client opens a link) and accepts in the first.
    const bob = await person();
    const invitation = await mail.waitFor(bobEmail, /invited to Acme Rockets/);
    // The link from the mail lands in the console.
    expect(invitation.link).toMatch(/\/console\/accept-invitation\?token=/);
    const b = bob.page;
    await b.goto(invitation.link!);
    await b.getByRole('heading', { level: 1, name: 'Accept an invitation' }).waitFor();
    await bob.checkPage('/accept-invitation (signed out)');
    await b.getByRole('link', { name: 'Create an account' }).click();
    await b.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
    await b.getByLabel('Email').fill(bobEmail);
    await b.getByLabel('Password', { exact: true }).fill(`pw-${randomBytes(8).toString('hex')}`);
    await bob.checkPage('/sign-up?next=/accept-invitation');
    await b.getByRole('button', { name: 'Create account' }).click();
    await b.getByRole('heading', { level: 1, name: 'Accept an invitation' }).waitFor();
    expect(new URL(b.url()).search).toBe(new URL(invitation.link!).search);
    await b
      .getByText(`Verify your address first: open the link we mailed to ${bobEmail}`)
      .waitFor();
    await bob.checkPage('/accept-invitation (not verified)');
    const verification = await mail.waitFor(bobEmail, /verify your email/i);
    const mailTab = await bob.context.newPage();
    mailTab.on('pageerror', (error) => bob.problems.push(`page error: ${error.message}`));
    mailTab.on('console', (message) => {
      if (message.type() === 'error') bob.problems.push(`console: ${message.text()}`);
    });
    await mailTab.goto(verification.link!);
    await mailTab.getByText('Your email address is verified.').waitFor();
    await mailTab.close();
    await b.bringToFront();
    await b.getByRole('button', { name: 'Accept invitation' }).click();
    await b.getByText('You joined Acme Rockets as Viewer.').waitFor();
    await bob.checkPage();
    await b.getByRole('link', { name: 'Open Acme Rockets' }).click();
    await b.getByText('your role: Viewer').waitFor();
    await bob.checkPage();

    // Alice sees Bob among the members (by id: profiles are their owners' alone) and makes him an editor.
    await a.reload();
    const members = a.locator('li.member');
    await a.locator('li.member').nth(1).waitFor();
    expect(await members.count()).toBe(2);
    const bobRow = members.filter({ hasNotText: 'You' });
    await bobRow.getByLabel(/^Role of/).selectOption('EDITOR');
    await bobRow.getByRole('button', { name: 'Change role' }).click();
    await bobRow.getByText('Role changed to Editor.').waitFor();
    await alice.checkPage();
    // The invitation is used: no longer open.
    await a.getByText('No open invitations.').waitFor();

    await screenshot(alice, 'organization');
    // Bob's console reads the new role from the API.
    await b.reload();
    await b.getByText('your role: Editor').waitFor();
    await bob.checkPage();
  });

  it('buys credits through the (local) Stripe checkout and comes back to the new balance', async () => {
    const carol = await person();
    await signUpAndVerify(carol, uniqueEmail('carol'));
    const c = carol.page;
    await c.getByRole('link', { name: 'Credits' }).click();
    await c.getByRole('heading', { level: 1, name: 'Credits' }).waitFor();
    await expect(c.getByTestId('balance').textContent()).resolves.toBe('100');
    await carol.checkPage();

    await c.getByRole('button', { name: /^Buy Starter: 100 credits for \$5\.00/ }).click();
    await c.waitForURL(`${stripe.url}/c/pay/**`);
    await c.getByText('Total: 5.00 usd').waitFor();
    await c.getByRole('button', { name: 'Pay' }).click();
    await c.waitForURL(/\/console\/credits\?checkout=success$/);
    await c.getByText('Thank you: 100 credits were added to your balance.').waitFor();
    await expect(c.getByTestId('balance').textContent()).resolves.toBe('200');
    await c.getByRole('cell', { name: 'Purchase', exact: true }).waitFor();
    await carol.checkPage();
    await screenshot(carol, 'credits');
  });

  it('streams an AI generation: the worst case held while it runs, then the charge', async () => {
    const dave = await person();
    await signUpAndVerify(dave, uniqueEmail('dave'));
    const d = dave.page;
    await d.getByRole('link', { name: 'AI playground' }).click();
    await d.getByRole('heading', { level: 1, name: 'AI playground' }).waitFor();
    await dave.checkPage();

    // One chunk, then the fake Gemini waits until released: the hold is visible meanwhile.
    gemini.replies.push({
      kind: 'stream',
      holdAfter: 1,
      chunks: geminiStream(['The Nile, ', 'the Amazon, ', 'and the Danube.'], {
        promptTokenCount: 3,
      }),
    });
    await d.getByLabel('Model').selectOption('test-model');
    await d.getByLabel('Prompt').fill('Name three rivers');
    await d.getByTestId('estimate').getByText('18 credits').waitFor();
    await d.getByRole('button', { name: 'Generate' }).click();
    await d.getByTestId('output').getByText('The Nile,').waitFor();
    await d.getByTestId('held').getByText('18 credits').waitFor();
    await dave.checkPage();

    gemini.release();
    await d.getByTestId('output').getByText('The Nile, the Amazon, and the Danube.').waitFor();
    await d.getByTestId('charged').getByText('5 credits').waitFor();
    await d.getByTestId('balance-after').getByText('95').waitFor();
    await dave.checkPage();
    await screenshot(dave, 'ai-playground');
  });

  it('registers a webhook endpoint (secret shown once), sends a test event, and shows and replays the delivery', async () => {
    const erin = await person();
    await signUpAndVerify(erin, uniqueEmail('erin'));
    const e = erin.page;
    await e.goto(url('/orgs'));
    await e.getByLabel('Name').fill('Webhook Works');
    await e.getByRole('button', { name: 'Create organization' }).click();
    await e.getByRole('heading', { level: 1, name: 'Webhook Works' }).waitFor();
    // A phone's width, dark: nothing wider than the screen, and still no accessibility violation.
    await e.setViewportSize({ width: 360, height: 740 });
    await e.emulateMedia({ colorScheme: 'dark' });
    await erin.checkPage('/orgs/:id at 360 px, dark');
    expect(await e.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
      360,
    );

    await e.getByRole('link', { name: 'Webhooks' }).click();
    await e.getByRole('heading', { level: 1, name: 'Webhooks' }).waitFor();
    await e.getByText('No endpoints yet.').waitFor();
    await erin.checkPage();
    // Checked before sending: a URL with credentials, and no event type.
    await e.getByLabel('URL').fill('https://user:secret@example.com/hook');
    await e.getByRole('button', { name: 'Add endpoint' }).click();
    await e.getByText('Leave the user name and password out of the URL.').waitFor();
    await e.getByText('Choose at least one event type.').waitFor();
    await e.getByLabel('URL').fill(receiver.url);
    await e.getByRole('checkbox', { name: /^member\.invited/ }).check();
    await e.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await e.getByRole('textbox', { name: /Signing secret of/ }).inputValue();
    expect(secret).toMatch(/^whsec_/);
    receiver.acceptSecrets(secret);
    await erin.checkPage();
    await e.getByRole('link', { name: 'Open the endpoint' }).click();
    await e.getByRole('heading', { level: 1, name: 'Webhook endpoint' }).waitFor();
    await e.getByText('No deliveries yet.').waitFor();
    await erin.checkPage();

    await e.getByRole('button', { name: 'Send test event' }).click();
    await e.getByText(/webhook\.ping event is on its way/).waitFor();
    const ping = await eventually(async () => {
      const found = receiver.accepted().find((w) => w.type === 'webhook.ping');
      expect(found?.verified).toBe(true);
      return found!;
    });
    const delivery = e.locator('li.delivery').filter({ hasText: 'webhook.ping' });
    await eventually(async () => {
      await e.getByRole('button', { name: 'Refresh' }).click();
      await delivery.getByText('Succeeded').waitFor({ timeout: 1_000 });
    });
    await delivery.getByText(ping.id!).waitFor();
    await erin.checkPage();

    await delivery.getByRole('button', { name: 'Replay the webhook.ping delivery' }).click();
    await e.getByText('The webhook.ping delivery is being sent again.').waitFor();
    // A replay is the same event: the same webhook-id, a second attempt.
    await eventually(async () => expect(receiver.attemptsOf(ping.id!)).toHaveLength(2));
    await eventually(async () => {
      await e.getByRole('button', { name: 'Refresh' }).click();
      await delivery.getByText(/2 attempts/).waitFor({ timeout: 1_000 });
    });
    await erin.checkPage();

    // Twenty more pings: 21 deliveries, one more than a page holds (the API's default of 20), so
    // the log pages: Older shows the first ping alone, Newest goes back to the twenty newest.
    const pings = () =>
      new Set(receiver.accepted().flatMap((w) => (w.type === 'webhook.ping' ? [w.id] : []))).size;
    for (let sent = 1; sent <= 20; sent += 1) {
      await e.getByRole('button', { name: 'Send test event' }).click();
      // One at a time: the next click only once this ping has arrived.
      await eventually(async () => expect(pings()).toBe(1 + sent));
    }
    await eventually(async () => {
      await e.getByRole('button', { name: 'Refresh' }).click();
      expect(await e.locator('li.delivery').count()).toBe(20);
      await e.getByRole('button', { name: 'Older' }).waitFor({ timeout: 1_000 });
    });
    expect(await e.getByRole('button', { name: 'Newest' }).count()).toBe(0);
    await e.getByRole('button', { name: 'Older' }).click();
    await e.getByRole('button', { name: 'Newest' }).waitFor();
    await delivery.getByText(ping.id!).waitFor();
    expect(await e.locator('li.delivery').count()).toBe(1);
    expect(await e.getByRole('button', { name: 'Older' }).count()).toBe(0);
    await erin.checkPage('/webhooks/:id (older deliveries)');
    await e.getByRole('button', { name: 'Newest' }).click();
    await e.getByRole('button', { name: 'Older' }).waitFor();
    expect(await e.locator('li.delivery').count()).toBe(20);
    expect(await e.getByRole('button', { name: 'Newest' }).count()).toBe(0);

    // The organization's audit log has the endpoint's creation (written from the bus, so it may lag).
    await e.getByRole('link', { name: 'All endpoints' }).click();
    await e.getByRole('link', { name: /^Back to Webhook Works/ }).click();
    await e.getByRole('link', { name: 'Audit log' }).click();
    await e.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await eventually(async () => {
      await e.getByRole('textbox', { name: 'Action' }).fill('webhook.endpoint_created');
      await e.getByRole('button', { name: 'Filter' }).click();
      await e
        .getByRole('cell', { name: 'webhook.endpoint_created' })
        .first()
        .waitFor({ timeout: 1_000 });
    });
    await erin.checkPage();
    // Nothing was altered since it was written: the server's check of the chain says it holds, in
    // words, over every entry the journey's actions wrote.
    await e.getByRole('button', { name: 'Verify chain' }).click();
    const verdict = await e
      .getByRole('status')
      .filter({ hasText: /chain intact/ })
      .innerText();
    const intact = /^(\d+) entr(?:y|ies), chain intact\.$/.exec(verdict.trim());
    expect(intact).not.toBeNull();
    expect(Number(intact![1])).toBeGreaterThan(0);
    await erin.checkPage('/orgs/:id/audit (chain verified)');

    // Single sign-on: a domain claimed shows the TXT record to publish (verifying it would ask DNS).
    await e.getByRole('link', { name: /^Back to Webhook Works/ }).click();
    await e.getByRole('link', { name: 'Single sign-on' }).click();
    await e.getByRole('heading', { level: 1, name: 'Single sign-on' }).waitFor();
    await e.getByText('No domains yet.').waitFor();
    await erin.checkPage();
    await e.getByRole('textbox', { name: 'Domain' }).fill('not a domain');
    await e.getByRole('button', { name: 'Add domain' }).click();
    await e.getByText('Enter a domain name like example.com.').waitFor();
    await e.getByRole('textbox', { name: 'Domain' }).fill('webhook-works.example.com');
    await e.getByRole('button', { name: 'Add domain' }).click();
    await e.getByText('_bastion-verification.webhook-works.example.com').waitFor();
    await erin.checkPage();

    // Deleting the organization (confirmed in the browser's dialog) ends at the list, now empty.
    await e.getByRole('link', { name: /^Back to Webhook Works/ }).click();
    e.once('dialog', (dialog) => void dialog.accept());
    await e.getByRole('button', { name: 'Delete Webhook Works' }).click();
    await e.getByRole('heading', { level: 1, name: 'Organizations' }).waitFor();
    await e.getByText('You are in no organization yet').waitFor();
    await erin.checkPage();
  });
});
