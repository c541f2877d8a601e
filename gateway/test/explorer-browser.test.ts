import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startTestPlatform, type TestPlatform } from '@bastion/testing';

/**
 * The explorer in a real browser (Debian's chromium, driven by playwright-core) with the network
 * closed: every request that is not to 127.0.0.1 is refused and recorded, and none may be tried.
 * The model id below is this test's own, so the result on screen can only come from the gateway.
 */
const CHROMIUM = '/usr/bin/chromium';
const MODEL = {
  id: 'explorer-offline-model',
  displayName: 'Explorer offline model',
  creditsPerRequest: 1,
};
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = '/tmp/bastion-explorer';

/** Whether a URL stays on this machine (data: and blob: never leave the page). */
function local(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1';
}

describe(`the GraphiQL explorer in headless Chromium, offline (${CHROMIUM})`, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const outside: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    // Never skipped: without the browser this file fails, saying what to install.
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it); this test needs it`,
      );
    [platform, browser] = await Promise.all([
      startTestPlatform({ AI_MODELS: JSON.stringify([MODEL]) }),
      chromium.launch({ executablePath: CHROMIUM, args: ARGS }),
    ]);
    context = await browser.newContext({ serviceWorkers: 'block' });
    // The network is closed: anything but this machine is refused, and remembered.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (local(url)) return route.continue();
      outside.push(url);
      return route.abort('internetdisconnected');
    });
    await context.routeWebSocket(/.*/, (socket) => {
      outside.push(socket.url());
      return socket.close();
    });
    context.on('request', (request) => {
      if (!local(request.url())) outside.push(request.url());
    });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // CSP refusals and failed loads are reported on the console.
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  });
  /** Replaces an editor's text as typed; what monaco auto-closed after the cursor is removed. */
  async function typeInto(editor: ReturnType<Page['locator']>, text: string): Promise<void> {
    await editor.click();
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(text);
    await page.keyboard.press('Shift+End');
    await page.keyboard.press('Delete');
  }

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  });

  it('renders, runs { aiModels { id } } and shows the result, with nothing fetched from outside', async () => {
    await page.goto(platform.gateway.url, { waitUntil: 'load' });
    const editor = page.locator('.graphiql-query-editor .monaco-editor').first();
    await editor.waitFor({ state: 'visible', timeout: 30_000 });
    await typeInto(editor, '{ aiModels { id } }');
    await page.locator('.graphiql-execute-button').click();
    const response = page.locator('.graphiql-response');
    await response.getByText(MODEL.id).first().waitFor({ timeout: 30_000 });
    expect(await response.innerText()).toMatch(/"aiModels"/);
    await page.screenshot({ path: `${SCREENSHOTS}-result.png` });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('loads the schema by introspection: the documentation explorer lists aiModels', async () => {
    await page.getByRole('button', { name: /documentation explorer/i }).click();
    const docs = page.locator('.graphiql-doc-explorer');
    await docs.getByText('Query', { exact: true }).first().click();
    await docs.getByText('aiModels', { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${SCREENSHOTS}-docs.png` });
    expect(outside).toEqual([]);
  });

  it('sends the headers typed into the headers editor', async () => {
    await page
      .getByRole('button', { name: /^headers$/i })
      .first()
      .click();
    const headers = page.locator('.graphiql-editor-tool .monaco-editor').last();
    await headers.waitFor({ state: 'visible' });
    await typeInto(headers, '{ "Authorization": "Bearer not-a-real-token" }');
    const sent = page.waitForRequest(
      (request) => request.method() === 'POST' && request.url() === platform.gateway.url,
    );
    await page.locator('.graphiql-execute-button').click();
    expect((await sent).headers().authorization).toBe('Bearer not-a-real-token');
    // The gateway refuses a bad credential (never treats it as anonymous), and the page shows it.
    await page
      .locator('.graphiql-response')
      .getByText('UNAUTHENTICATED')
      .first()
      .waitFor({ timeout: 30_000 });
    await page.screenshot({ path: `${SCREENSHOTS}-headers.png` });
    expect(outside).toEqual([]);
    expect(problems.filter((problem) => !/401/.test(problem))).toEqual([]);
  });

  it('the landing page at / renders under its strict CSP and links the explorer', async () => {
    const before = problems.length;
    await page.goto(new URL('/', platform.gateway.url).toString(), { waitUntil: 'load' });
    await page.getByRole('link', { name: 'GraphQL explorer' }).click();
    await page
      .locator('.graphiql-query-editor .monaco-editor')
      .first()
      .waitFor({ state: 'visible', timeout: 30_000 });
    await page.goBack();
    await page.screenshot({ path: `${SCREENSHOTS}-landing.png` });
    expect(problems.slice(before)).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('a development mail page (SMTP_URL unset) opens the explorer with its operation and token filled in', async () => {
    const before = problems.length;
    const link = new URL('/accept-invitation?token=tok-123_ABC', platform.gateway.url);
    await page.goto(link.toString(), { waitUntil: 'load' });
    await page.getByRole('link', { name: 'Open it in the explorer' }).click();
    const lines = page.locator('.graphiql-query-editor .view-lines').first();
    await lines.waitFor({ state: 'visible', timeout: 30_000 });
    await lines.filter({ hasText: 'acceptInvitation' }).waitFor({ timeout: 30_000 });
    const text = (await lines.innerText()).replace(/\u00a0/g, ' ');
    expect(text).toContain('acceptInvitation(token: "tok-123_ABC")');
    await page.screenshot({ path: `${SCREENSHOTS}-prefilled.png` });
    expect(problems.slice(before)).toEqual([]);
    expect(outside).toEqual([]);
  });
});
