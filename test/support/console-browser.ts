import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  chromium,
  type Browser,
  type BrowserContext,
  type CDPSession,
  type Page,
} from 'playwright-core';

/**
 * The console in a real browser: Debian's chromium driven by playwright-core, the network closed
 * (every request not to this machine is refused and recorded), console errors and CSP violations
 * collected, axe-core run on every page a test visits. One browser per test file; one context per
 * person (a second context is a second device).
 */
export const CHROMIUM = '/usr/bin/chromium';
/** Where journeys leave screenshots (README's images are taken from these). */
export const CONSOLE_SCREENSHOTS = '/tmp/bastion-console';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // `localhost` (the WebAuthn relying party: browsers refuse an IP address) is this machine's
  // 127.0.0.1 and nothing else: no resolver is asked.
  '--host-resolver-rules=MAP localhost 127.0.0.1',
];

const AXE_SOURCE = readFileSync(
  resolve(__dirname, '../../node_modules/axe-core/axe.min.js'),
  'utf8',
);

/** Whether a URL stays on this machine (data: and blob: never leave the page). */
function local(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return (
    protocol === 'data:' ||
    protocol === 'blob:' ||
    hostname === '127.0.0.1' ||
    hostname === 'localhost'
  );
}

export interface ConsolePerson {
  context: BrowserContext;
  page: Page;
  /** Console errors, page errors and CSP violations, as text; a journey expects none. */
  problems: string[];
  /** Requests that tried to leave this machine; a journey expects none. */
  outside: string[];
  /** Serious or critical axe-core violations found so far, with the page they were on. */
  violations: string[];
  /** Runs axe-core on the page as it is now (see `checkPage`) and records its serious/critical violations. */
  checkPage(label?: string): Promise<void>;
  /** A virtual WebAuthn authenticator (CDP WebAuthn domain) on this person's page. */
  addAuthenticator(): Promise<{ cdp: CDPSession; authenticatorId: string }>;
}

export interface ConsoleBrowser {
  browser: Browser;
  /** A new person (context + page) opening console pages at `origin` (e.g. http://127.0.0.1:4321). */
  person(): Promise<ConsolePerson>;
  close(): Promise<void>;
}

/** Launches chromium; fails (never skips) when it is not installed. */
export async function launchConsoleBrowser(): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (.ci/run installs it); this test needs it`,
    );
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  return {
    browser,
    person: () => newPerson(browser),
    close: () => browser.close(),
  };
}

async function newPerson(browser: Browser): Promise<ConsolePerson> {
  const context = await browser.newContext({ serviceWorkers: 'block' });
  const outside: string[] = [];
  const problems: string[] = [];
  const violations: string[] = [];
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
  // Init scripts are the browser's, not the page's: the CSP does not apply to them. This one
  // reports every CSP violation of the page on the console, where it is collected below.
  await context.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (event) => {
      console.error('CSP violation: ' + event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline'));
    });`,
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  return {
    context,
    page,
    problems,
    outside,
    violations,
    async checkPage(label) {
      const where = label ?? new URL(page.url()).pathname;
      // axe-core is evaluated through the DevTools protocol (Runtime.evaluate), which the page's
      // CSP does not govern; a <script> tag added to the page would be refused by script-src 'self'
      // (and reported as a violation). Nothing of it is left in the page's own code.
      await page.evaluate(`(() => { if (!window.axe) { ${AXE_SOURCE}\n } })()`);
      const found = (await page.evaluate(`window.axe.run(document, {
          resultTypes: ['violations'],
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
        }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) })))`)) as {
        id: string;
        impact: string | null;
        help: string;
        nodes: string[];
      }[];
      for (const violation of found)
        if (violation.impact === 'serious' || violation.impact === 'critical')
          violations.push(
            `${where}: ${violation.impact} ${violation.id} (${violation.help}) at ${violation.nodes.join(', ')}`,
          );
    },
    async addAuthenticator() {
      const cdp = await context.newCDPSession(page);
      await cdp.send('WebAuthn.enable', { enableUI: false });
      const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
        options: {
          protocol: 'ctap2',
          transport: 'internal',
          hasResidentKey: true,
          hasUserVerification: true,
          isUserVerified: true,
          automaticPresenceSimulation: true,
        },
      });
      return { cdp, authenticatorId };
    },
  };
}

/** A console URL on the platform's public gateway; `host` 'localhost' for WebAuthn pages. */
export function consoleUrl(
  gatewayUrl: string,
  path = '/',
  host: '127.0.0.1' | 'localhost' = '127.0.0.1',
): string {
  const url = new URL(`/console${path === '/' ? '/' : path}`, gatewayUrl);
  url.hostname = host;
  return url.toString();
}

/** RFC 6238 TOTP (SHA-1, 30 s, 6 digits) from a base32 secret: the test's own, not the server's. */
export function totpNow(base32Secret: string, at = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32Secret.replace(/=+$/, '').toUpperCase())
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const bytes: number[] = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const hmac = createHmac('sha1', Buffer.from(bytes)).update(counter).digest();
  const offset = (hmac[hmac.length - 1] ?? 0) & 0x0f;
  const code = (hmac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return code.toString().padStart(6, '0');
}
