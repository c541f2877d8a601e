import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  PLATFORM_SETUP_MS,
  startTestPlatform,
  type TestPlatform,
  type TestUser,
} from '@bastion/testing';
import { userWithAccount } from '../../subgraphs/credits/test/credits-client';
import {
  DEVELOPMENT_MODEL,
  DEVELOPMENT_UPSTREAM,
  developmentReply,
} from '../../subgraphs/ai/src/models/development-model';

/**
 * The AI stream page (GET /explorer/stream) in a real browser (Debian's chromium, driven by
 * playwright-core, as explorer-browser.test.ts), the network closed: a verified user with credits
 * streams from the development model (no Gemini key outside production) and the page shows the
 * text as it arrives, then the `done` event's figures.
 *
 * The expected text is the development model's own definition for this prompt; the figures are
 * worked out by hand from its price table (as development-model.test.ts does): "hello world" is
 * ceil(11/4) = 3 input tokens, its 237-character answer ceil(237/4) = 60 output tokens, charged
 * 1 + ceil((3*50 + 60*100)/1000) = 8 credits.
 */
const CHROMIUM = '/usr/bin/chromium';
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
const SCREENSHOTS = '/tmp/bastion-ai-stream';
const PROMPT = 'hello world';
/** The development model's answer to a prompt sent with the model's whole output allowance. */
const replyTo = (prompt: string) =>
  developmentReply({
    upstreamModel: DEVELOPMENT_UPSTREAM,
    prompt,
    maxOutputTokens: DEVELOPMENT_MODEL.maxOutputTokens,
    thinkingBudget: 0,
  });
const EXPECTED_TEXT = replyTo(PROMPT);
const EXPECTED_FIGURES = { credits: '8', input: '3', output: '60', thinking: '0' };

/** Whether a URL stays on this machine (data: and blob: never leave the page). */
function local(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1';
}

describe(`the AI stream page in headless Chromium, offline (${CHROMIUM})`, () => {
  let platform: TestPlatform;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let user: TestUser;
  let streamUrl: string;
  const outside: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    // Never skipped: without the browser this file fails, saying what to install.
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it); this test needs it`,
      );
    [platform, browser] = await Promise.all([
      // No Gemini key and the default catalog: the development model is on offer.
      startTestPlatform({ GEMINI_API_KEY: '', AI_MODELS: '', CREDITS_SIGNUP_GRANT: '100' }),
      chromium.launch({ executablePath: CHROMIUM, args: ARGS }),
    ]);
    user = await userWithAccount(platform, 100, { verified: true });
    streamUrl = new URL('/explorer/stream', platform.gateway.url).toString();
    context = await browser.newContext({ serviceWorkers: 'block' });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (local(url)) return route.continue();
      outside.push(url);
      return route.abort('internetdisconnected');
    });
    context.on('request', (request) => {
      if (!local(request.url())) outside.push(request.url());
    });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // CSP refusals (of the script, of a fetch) and failed loads are reported on the console.
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
  }, PLATFORM_SETUP_MS);

  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
  }, PLATFORM_SETUP_MS);

  /** Opens the page and waits until its script filled the model list from aiModels. */
  async function openPage(): Promise<void> {
    await page.goto(streamUrl, { waitUntil: 'load' });
    await page
      .locator('#model option[value="development-model"]')
      .waitFor({ state: 'attached', timeout: 30_000 });
  }

  it('streams the development model: its text arrives in chunks, then the done figures', async () => {
    await openPage();
    await page.locator('#token').fill(user.accessToken);
    await page.locator('#model').selectOption('development-model');
    await page.locator('#prompt').fill(PROMPT);
    await page.locator('#max-tokens').fill('');
    await page.locator('#send').click();
    // The done event's figures are shown last, after every chunk.
    await page.locator('#figures').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#output').textContent()).toBe(EXPECTED_TEXT);
    expect({
      credits: await page.locator('#credits-charged').textContent(),
      input: await page.locator('#input-tokens').textContent(),
      output: await page.locator('#output-tokens').textContent(),
      thinking: await page.locator('#thinking-tokens').textContent(),
    }).toEqual(EXPECTED_FIGURES);
    expect(await page.locator('#generation-id').textContent()).toMatch(/\S/);
    // Several chunk events, not one body read at the end.
    expect(Number(await page.locator('#chunks').textContent())).toBeGreaterThan(1);
    expect(await page.locator('#status').textContent()).toBe('Done.');
    expect(await page.locator('#error').isHidden()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}-done.png`, fullPage: true });
    expect(outside).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('shows a refusal before any event: no token is UNAUTHENTICATED', async () => {
    const before = problems.length;
    await openPage();
    await page.locator('#token').fill('');
    await page.locator('#send').click();
    await page.locator('#error').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.locator('#error-code').textContent()).toBe('UNAUTHENTICATED');
    expect(await page.locator('#output').textContent()).toBe('');
    expect(await page.locator('#figures').isHidden()).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}-refused.png` });
    // The browser logs the 401 itself; nothing else may go wrong.
    expect(problems.slice(before).filter((problem) => !/401/.test(problem))).toEqual([]);
    expect(outside).toEqual([]);
  });

  it('shows what the server sent as text, never as markup', async () => {
    await openPage();
    // A prompt the development model echoes back: the answer contains markup-like text.
    const prompt = '<img src=x id=injected> <b>bold</b>';
    await page.locator('#token').fill(user.accessToken);
    await page.locator('#prompt').fill(prompt);
    await page.locator('#max-tokens').fill('');
    await page.locator('#send').click();
    await page.locator('#figures').waitFor({ state: 'visible', timeout: 60_000 });
    const expected = replyTo(prompt);
    expect(expected).toContain('<img src=x id=injected>');
    expect(await page.locator('#output').textContent()).toBe(expected);
    expect(await page.locator('#output *').count()).toBe(0);
    expect(await page.locator('#injected').count()).toBe(0);
  });

  it("prefills the token from the explorer's saved headers (when its user chose to persist them)", async () => {
    await openPage();
    // What GraphiQL writes when its user turns on "persist headers": the headers editor's text.
    const headers = JSON.stringify({ Authorization: `Bearer ${user.accessToken}` }, null, 2);
    await page.evaluate(`localStorage.setItem('graphiql:headers', ${JSON.stringify(headers)})`);
    await openPage();
    expect(await page.locator('#token').inputValue()).toBe(user.accessToken);
    expect(await page.locator('#token-source').isVisible()).toBe(true);
    await page.evaluate('localStorage.clear()');
  });

  it('is linked from the landing page', async () => {
    const before = problems.length;
    await page.goto(new URL('/', platform.gateway.url).toString(), { waitUntil: 'load' });
    await page.getByRole('link', { name: 'AI stream' }).click();
    await page
      .locator('#model option[value="development-model"]')
      .waitFor({ state: 'attached', timeout: 30_000 });
    expect(page.url()).toBe(streamUrl);
    expect(problems.slice(before)).toEqual([]);
    expect(outside).toEqual([]);
  });
});
