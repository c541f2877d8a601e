import {
  PLATFORM_SETUP_MS,
  startSmtpCapture,
  startTestPlatform,
  type SmtpCapture,
  type TestPlatform,
} from '@bastion/testing';
import {
  CONSOLE_SCREENSHOTS,
  consoleUrl,
  launchConsoleBrowser,
  type ConsoleBrowser,
  type ConsolePerson,
} from '../support/console-browser';

/**
 * A new person in the console: sign up, verify the address by the link from the captured mail
 * (it lands in the console), come back after a reload (the refresh cookie), sign out, reset the
 * forgotten password by mail and sign in with the new one. Expected words are the pages' own.
 * The platform runs with the default configuration (REFRESH_COOKIE unset), as after `npm start`:
 * the console asks for the refresh cookie itself (docs/security.md "The web console").
 */
describe('console: sign up, verify by mail, reload, sign out, reset the password', () => {
  let platform: TestPlatform;
  let smtp: SmtpCapture;
  let browser: ConsoleBrowser;
  let ada: ConsolePerson;
  const email = `ada-${Date.now()}@example.com`;
  const password = 'correct horse battery staple 1';

  beforeAll(async () => {
    smtp = await startSmtpCapture();
    [platform, browser] = await Promise.all([
      startTestPlatform({ SMTP_URL: smtp.url }),
      launchConsoleBrowser(),
    ]);
    ada = await browser.person();
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await smtp?.close();
  }, PLATFORM_SETUP_MS);

  it('validates before sending, creates the account and lands signed in', async () => {
    const { page } = ada;
    await page.goto(consoleUrl(platform.gateway.url, '/sign-up'));
    await page.getByRole('heading', { name: 'Create an account' }).waitFor();
    await ada.checkPage();
    const sent: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') sent.push(request.url());
    });
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Enter your email address.').waitFor();
    await page.getByText('Use at least 10 characters.').waitFor();
    expect(sent).toEqual([]);
    await ada.checkPage('/sign-up (invalid)');
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Name (optional)').fill('Ada');
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
    await page.getByText('Your account is ready.').waitFor();
    await page.getByText(`We mailed a link to ${email}`).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/');
    await ada.checkPage('/ (unverified)');
    await page.screenshot({ path: `${CONSOLE_SCREENSHOTS}-home.png` });
  });

  it('the mailed link lands in the console and verifies the address', async () => {
    const mail = await smtp.waitFor(email, /verify/i);
    const origin = new URL(platform.gateway.url).origin;
    expect(mail.link).toBe(`${origin}/console/verify-email?token=${mail.token}`);
    await ada.page.goto(mail.link!);
    await ada.page.getByText('Your email address is verified.').waitFor();
    await ada.checkPage();
    await ada.page.getByRole('link', { name: 'Go to the start page' }).click();
    await ada.page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
    expect(await ada.page.getByText('We mailed a link').count()).toBe(0);
  });

  it('a reload keeps the session (HttpOnly refresh cookie), the token is nowhere in storage', async () => {
    await ada.page.reload();
    await ada.page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
    // On another page: the reload stays on it, still signed in.
    await ada.page.getByRole('link', { name: 'Profile' }).click();
    await ada.page.getByRole('heading', { name: 'Profile' }).waitFor();
    await ada.page.reload();
    await ada.page.getByRole('heading', { name: 'Profile' }).waitFor();
    expect(new URL(ada.page.url()).pathname).toBe('/console/profile');
    await ada.page.getByRole('button', { name: 'Sign out' }).waitFor();
    const cookies = await ada.context.cookies();
    const refresh = cookies.find((cookie) => cookie.name === '__Host-bastion_refresh');
    expect(refresh?.httpOnly).toBe(true);
    expect(refresh?.secure).toBe(true);
    expect(refresh?.sameSite).toBe('Strict');
    const stored = await ada.page.evaluate(
      'JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage })',
    );
    expect(stored).toBe('{}{}');
  });

  it('signs out; a signed-in page then asks to sign in and goes back after it', async () => {
    const { page } = ada;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    // Sign-out cleared the cookie: a reload stays signed out.
    const cookies = await ada.context.cookies();
    expect(cookies.find((cookie) => cookie.name === '__Host-bastion_refresh')).toBeUndefined();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.goto(consoleUrl(platform.gateway.url, '/'));
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/');
    await ada.checkPage();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByText('The email, password or code is not right.').waitFor();
    await ada.checkPage('/sign-in (wrong password)');
  });

  it('resets a forgotten password by the mailed link and signs in with the new one', async () => {
    const { page } = ada;
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByRole('button', { name: 'Mail me a link' }).click();
    await page.getByText('If an account has this address').waitFor();
    await ada.checkPage();
    const mail = await smtp.waitFor(email, /password/i);
    expect(
      mail.link?.startsWith(
        `${new URL(platform.gateway.url).origin}/console/reset-password?token=`,
      ),
    ).toBe(true);
    await page.goto(mail.link!);
    await page.getByLabel('New password', { exact: true }).fill('a brand new passphrase 2');
    await page.getByLabel('New password again').fill('a brand new passphrase 2');
    await ada.checkPage();
    await page.getByRole('button', { name: 'Set the new password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill('a brand new passphrase 2');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Welcome, Ada' }).waitFor();
  });

  it('saw no console error, no CSP violation, no outside request, no serious accessibility problem', () => {
    // The wrong password's 401 is the API's answer, logged by the browser as a failed load.
    expect(ada.problems.filter((problem) => !/status of 401/.test(problem))).toEqual([]);
    expect(ada.outside).toEqual([]);
    expect(ada.violations).toEqual([]);
  });
});
