import {
  PLATFORM_SETUP_MS,
  registerUser,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import {
  CONSOLE_SCREENSHOTS,
  consoleUrl,
  launchConsoleBrowser,
  totpNow,
  type ConsoleBrowser,
  type ConsolePerson,
} from '../support/console-browser';

/**
 * The security page in a real browser, on `localhost` (the WebAuthn relying party; an IP address
 * cannot be one): TOTP enrolment with a code the test computes from the shown key (RFC 6238, its
 * own implementation), a step-up for an API key, a passkey through Chromium's virtual
 * authenticator and a sign-in with it, a second device signing in with the second factor, and a
 * session revoked from the first device: the second is sent to sign in, then back to its page.
 * REFRESH_COOKIE is left at its default: the passkey and second-factor sign-ins set the refresh
 * cookie because the console asks for it, and the later page loads keep their sessions by it.
 */
describe('console: TOTP, passkeys, step-up, API keys and sessions', () => {
  let platform: TestPlatform;
  let browser: ConsoleBrowser;
  let laptop: ConsolePerson;
  let phone: ConsolePerson;
  let ada: TestUser;
  let secret = '';
  let recoveryCodes: string[] = [];
  /** The TOTP time steps used so far: the API accepts each step once, and only a later one. */
  let lastStep = 0;
  const url = (path: string) => consoleUrl(platform.gateway.url, path, 'localhost');

  /** A code for a step later than the last used, waiting (by the clock) until it is within drift. */
  async function nextCode(): Promise<string> {
    for (;;) {
      const now = Math.floor(Date.now() / 30_000);
      const step = Math.max(lastStep + 1, now);
      if (step <= now + 1) {
        lastStep = step;
        return totpNow(secret, step * 30_000);
      }
      await new Promise((done) => setTimeout(done, 500));
    }
  }

  beforeAll(async () => {
    [platform, browser] = await Promise.all([startTestPlatform(), launchConsoleBrowser()]);
    ada = await registerUser(platform, { verified: true });
    [laptop, phone] = await Promise.all([browser.person(), browser.person()]);
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  async function signIn(person: ConsolePerson): Promise<void> {
    await person.page.getByLabel('Email', { exact: true }).fill(ada.email);
    await person.page.getByLabel('Password', { exact: true }).fill(ada.password);
    await person.page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  it('a signed-in page sends to sign in and back to it', async () => {
    const { page } = laptop;
    await page.goto(url('/security'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await laptop.checkPage();
    await signIn(laptop);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/security');
    await laptop.checkPage();
  });

  it('enrols an authenticator app from the QR code page with a code computed from its key', async () => {
    const { page } = laptop;
    await page.getByRole('button', { name: 'Set up an authenticator app' }).click();
    await page.getByRole('img', { name: 'QR code for your authenticator app' }).waitFor();
    secret = (await page.getByTestId('totp-secret').innerText()).trim();
    expect(secret).toMatch(/^[A-Z2-7]+=*$/);
    await laptop.checkPage('/security (TOTP enrolment)');
    await page.screenshot({ path: `${CONSOLE_SCREENSHOTS}-totp.png`, fullPage: true });
    // Validated before sending.
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByText('Enter the 6-digit code.').waitFor();
    await page.getByLabel('Code from the app').fill(await nextCode());
    await page.getByRole('button', { name: 'Turn on' }).click();
    // The codes just issued, shown once (the page's "Recovery codes" section counts what is left).
    const codes = page.getByRole('region', { name: 'Your recovery codes' });
    await codes.waitFor();
    recoveryCodes = (await codes.getByRole('listitem').allInnerTexts()).map((code) => code.trim());
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);
    await laptop.checkPage('/security (recovery codes)');
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('list', { name: 'Authenticator apps' }).waitFor();
  });

  it('creates an API key, shows it once, and it works against the API', async () => {
    const { page } = laptop;
    const form = page.getByRole('form', { name: 'Create an API key' });
    await form.getByRole('button', { name: 'Create key' }).click();
    await form.getByText('Enter a name for the key.').waitFor();
    await form.getByLabel('Key name').fill('deploy bot');
    await form.getByRole('checkbox').first().check();
    await form.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('api-key-secret').innerText()).trim();
    expect(key.length).toBeGreaterThan(20);
    await laptop.checkPage('/security (new key)');
    const me = await platform.gql<{ me: { id: string } }>('{ me { id } }', undefined, {
      token: key,
    });
    expect(me.body.data?.me.id).toBe(ada.id);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByTestId('api-key-secret').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke deploy bot' }).click();
    await page.getByText('No API keys.').waitFor();
  });

  it('registers a passkey with the virtual authenticator and signs in with it alone', async () => {
    const { page } = laptop;
    await laptop.addAuthenticator();
    await page.getByLabel('Name for this passkey (optional)').fill('Laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('The passkey is added.').waitFor();
    await page.getByRole('list', { name: 'Passkeys' }).getByText('Laptop').waitFor();
    await laptop.checkPage('/security (passkey added)');
    await page.getByRole('button', { name: 'Sign out', exact: true }).first().click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    // Signed in again, back on the page signing out left (the security page).
    await page
      .getByRole('button', { name: 'Sign out', exact: true })
      .or(page.getByRole('alert'))
      .waitFor();
    expect(await page.getByRole('alert').allInnerTexts()).toEqual([]);
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await laptop.checkPage();
  });

  it('a second device signs in with the second factor', async () => {
    const { page } = phone;
    await page.goto(url('/profile'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signIn(phone);
    await page.getByRole('heading', { name: 'Second factor' }).waitFor();
    await phone.checkPage();
    await page
      .getByRole('textbox', { name: 'Code from your authenticator app' })
      .fill(await nextCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.getByRole('heading', { name: 'Profile' }).waitFor();
    await phone.checkPage();
  });

  it('the first device signs the other sessions out; the second is sent to sign in, then back', async () => {
    await laptop.page.goto(url('/security'));
    const sessions = laptop.page.getByRole('table');
    await sessions.waitFor();
    await laptop.checkPage('/security (sessions)');
    await sessions.screenshot({ path: `${CONSOLE_SCREENSHOTS}-sessions.png` });
    // Every session but this one: the phone's and those registerUser left.
    for (;;) {
      const others = sessions.getByRole('button', { name: /^Sign out the session of/ });
      if ((await others.count()) === 0) break;
      const before = await others.count();
      await others.first().click();
      // (No waitForFunction: it evaluates a string, which the console's CSP refuses.)
      await others.nth(before - 1).waitFor({ state: 'detached' });
    }
    await sessions.getByText('(this session)').waitFor();
    // The phone's next request is refused, its refresh too: to sign in, noting why.
    const { page } = phone;
    await page.getByRole('link', { name: 'Security' }).click();
    await page.getByText('Your session has ended. Sign in to go on.').waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/security');
    await phone.checkPage('/sign-in (expired)');
    await signIn(phone);
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByRole('textbox', { name: 'Recovery code' }).fill(recoveryCodes[0]!);
    await page.getByRole('button', { name: 'Use the recovery code' }).click();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    await phone.checkPage();
  });

  it('fits 360 px wide and keeps its contrast in the dark scheme', async () => {
    const { page } = phone;
    await page.setViewportSize({ width: 360, height: 800 });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.getByRole('heading', { name: 'Security' }).waitFor();
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    expect(width).toBeLessThanOrEqual(360);
    await phone.checkPage('/security (360 px, dark)');
    await page.screenshot({ path: `${CONSOLE_SCREENSHOTS}-narrow-dark.png` });
  });

  it('saw no console error, no CSP violation, no outside request, no serious accessibility problem', () => {
    for (const person of [laptop, phone]) {
      // A revoked token's 401 is the API's answer, logged by the browser as a failed load.
      expect(person.problems.filter((problem) => !/status of 401/.test(problem))).toEqual([]);
      expect(person.outside).toEqual([]);
      expect(person.violations).toEqual([]);
    }
  });
});
