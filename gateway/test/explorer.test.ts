import { createHash } from 'node:crypto';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';
import { prefersHtml } from '../src/explorer/accept';
import { STREAM_SCRIPT } from '../src/explorer/stream-page';

// A browser's navigation and what other clients send (written from the headers they really send).
const BROWSER =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const PRODUCTION = {
  NODE_ENV: 'production',
  REFRESH_TOKEN_SECRET: 'refresh-secret-for-production-mode-tests-0123',
  MFA_ENCRYPTION_KEY: 'mfa-key-for-production-mode-tests-0123456789',
  WEBHOOKS_ENCRYPTION_KEY: 'webhooks-key-for-production-mode-tests-01234',
  PASSWORD_PEPPER: 'pepper-for-production-mode-tests-0123456789',
  ARGON2_MEMORY_KIB: '19456',
  ARGON2_TIME_COST: '2',
};

/** The CSP header as a map of directive -> sources. */
function directives(csp: string | null): Map<string, string[]> {
  return new Map(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name = '', ...sources]) => [name, sources]),
  );
}

/** Every URL an HTML page references through src= or href=. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)="([^"]+)"/g)].map(([, url]) => url as string);
}

const page = (url: string) => fetch(url, { headers: { accept: BROWSER } });

const STREAM_SCRIPT_PATH = `/explorer/assets/${STREAM_SCRIPT.name}`;

/** Every <script> element of a page: its attributes and what it holds between its tags. */
function scriptsOf(html: string): { tag: string; body: string }[] {
  return [...html.matchAll(/(<script\b[^>]*>)([\s\S]*?)<\/script>/g)].map(([, tag, body]) => ({
    tag: tag as string,
    body: body as string,
  }));
}

/** An attribute's value in one tag, or undefined. */
const attribute = (tag: string, name: string) => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

describe('which Accept headers get the explorer page', () => {
  const table: [string | undefined, boolean][] = [
    [BROWSER, true],
    ['text/html', true],
    ['text/*', true],
    [undefined, false],
    ['*/*', false],
    ['application/json', false],
    ['application/graphql-response+json, application/json, multipart/mixed', false],
    ['application/json, text/html', false],
    ['text/html;q=0.5, application/json', false],
    ['text/html;q=0', false],
  ];
  it.each(table)('%s -> %s', (accept, html) => {
    expect(prefersHtml(accept)).toBe(html);
  });
});

describe('the GraphiQL explorer (default outside production)', () => {
  let platform: TestPlatform;
  let origins: { public: string; internal: string };

  beforeAll(async () => {
    platform = await startTestPlatform();
    origins = {
      public: new URL(platform.gateway.url).origin,
      internal: new URL(platform.gateway.internalUrl).origin,
    };
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  for (const listener of ['public', 'internal'] as const) {
    it(`${listener} listener: GET /graphql from a browser is GraphiQL, every asset from this origin`, async () => {
      const response = await page(`${origins[listener]}/graphql`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await response.text();
      expect(html).toContain('id="explorer-config"');
      const urls = referencedUrls(html);
      expect(urls.length).toBeGreaterThanOrEqual(4);
      const types: string[] = [];
      for (const url of urls) {
        const resolved = new URL(url, response.url);
        expect(resolved.origin).toBe(origins[listener]);
        const asset = await fetch(resolved);
        const body = Buffer.from(await asset.arrayBuffer());
        expect([url, asset.status]).toEqual([url, 200]);
        expect(body.length).toBeGreaterThan(0);
        const type = asset.headers.get('content-type') ?? '';
        types.push(type.split(';')[0] as string);
        if (url.endsWith('.js')) expect(type).toMatch(/^text\/javascript/);
        if (url.endsWith('.css')) expect(type).toMatch(/^text\/css/);
        if (url.endsWith('.ico')) expect(type).toMatch(/^image\//);
        expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000/);
        expect(asset.headers.get('x-content-type-options')).toBe('nosniff');
      }
      expect(types).toEqual(expect.arrayContaining(['text/javascript', 'text/css']));
      // The monaco workers named in the page's configuration are served here too.
      const config = JSON.parse(
        /<script type="application\/json" id="explorer-config">([^<]*)<\/script>/.exec(html)?.[1] ??
          '{}',
      );
      expect(Object.keys(config.workers).sort()).toEqual([
        'editorWorkerService',
        'graphql',
        'json',
      ]);
      // The operation it opens with points at the AI stream page where that page is served.
      expect(String(config.options.query).includes('/explorer/stream')).toBe(listener === 'public');
      for (const url of Object.values(config.workers) as string[]) {
        const worker = await fetch(new URL(url, response.url));
        await worker.arrayBuffer();
        expect([url, worker.status, worker.headers.get('content-type')]).toEqual([
          url,
          200,
          'text/javascript; charset=utf-8',
        ]);
      }
    });
  }

  it('the page has a CSP of its own origin only: no inline script, no CDN, never framed', async () => {
    const response = await page(platform.gateway.url);
    const html = await response.text();
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('worker-src')).toEqual(["'self'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(response.headers.get('content-security-policy')).not.toMatch(/https?:|\*/);
    // The only inline <script> is inert JSON; every other one has a src.
    for (const [tag] of html.matchAll(/<script[^>]*>/g))
      expect(tag).toMatch(/\ssrc="|type="application\/json"/);
    expect(html).not.toMatch(/apollographql|googleapis|cdn\./);
  });

  it('GraphQL clients still get GraphQL on GET and POST', async () => {
    const get = await fetch(
      `${platform.gateway.url}?query=${encodeURIComponent('{ aiModels { id } }')}`,
      {
        // Apollo's CSRF prevention admits a GET that a browser could not send without a preflight.
        headers: { accept: 'application/json', 'apollo-require-preflight': 'true' },
      },
    );
    expect(get.status).toBe(200);
    expect(
      ((await get.json()) as { data: { aiModels: unknown[] } }).data.aiModels.length,
    ).toBeGreaterThan(0);
    expect((await platform.gql('{ aiModels { id } }')).status).toBe(200);
  });

  it('public listener: GET /explorer/stream is the AI stream page, its one script a file by nonce and hash, no inline script', async () => {
    const response = await page(`${origins.public}/explorer/stream`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    const header = response.headers.get('content-security-policy');
    const csp = directives(header);
    const scripts = scriptsOf(html);
    expect(scripts).toHaveLength(1);
    const [script] = scripts as [{ tag: string; body: string }];
    // No inline script: the one element has a src and nothing inside; no handler attributes.
    expect(script.body).toBe('');
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
    const nonce = attribute(script.tag, 'nonce');
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    const style = /<style>([^<]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual([`'nonce-${nonce}'`]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('style-src')).toEqual([
      `'sha256-${createHash('sha256').update(style).digest('base64')}'`,
    ]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(header).not.toMatch(/unsafe|https?:|\*/);
    // The script is this origin's, and the browser runs it only if its bytes match the integrity hash.
    const src = new URL(attribute(script.tag, 'src') ?? '', response.url);
    expect(src.origin).toBe(origins.public);
    const file = await fetch(src);
    const bytes = Buffer.from(await file.arrayBuffer());
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(file.headers.get('cache-control')).toMatch(/immutable/);
    expect(attribute(script.tag, 'integrity')).toBe(
      `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
    );
    // A nonce is good for one response only.
    const again = await page(`${origins.public}/explorer/stream`);
    await again.text();
    expect(again.headers.get('content-security-policy')).not.toContain(`'nonce-${nonce}'`);
    // The internal listener relays no stream: no page for it there.
    const internal = await page(`${origins.internal}/explorer/stream`);
    await internal.arrayBuffer();
    expect(internal.status).toBe(404);
  });

  it('an unknown asset is a 404', async () => {
    const response = await fetch(`${origins.public}/explorer/assets/graphiql-0000000000000000.js`);
    await response.arrayBuffer();
    expect(response.status).toBe(404);
  });

  it('GET / links the explorer, /health, /ready, the JWKS and the README, each answering 200', async () => {
    const response = await page(`${origins.public}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.has('script-src')).toBe(false);
    const html = await response.text();
    const links = [...html.matchAll(/<a href="([^"]+)"/g)].map(([, href]) => href as string);
    expect(links).toEqual(
      expect.arrayContaining([
        '/graphql',
        '/health',
        '/ready',
        '/.well-known/jwks.json',
        '/README.md',
        '/explorer/stream',
      ]),
    );
    for (const link of links) {
      const target = await page(new URL(link, response.url).toString());
      await target.arrayBuffer();
      expect([link, target.status]).toEqual([link, 200]);
    }
    const readme = await fetch(`${origins.public}/README.md`);
    expect(await readme.text()).toMatch(/^# Bastion/);
  });
});

describe('EXPLORER=sandbox: Apollo Sandbox, with the CSP its CDN needs', () => {
  let platform: TestPlatform;
  beforeAll(async () => {
    platform = await startTestPlatform({ EXPLORER: 'sandbox' });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('serves Apollo Sandbox on a browser GET with its nonce and CDN in the CSP, and no GraphiQL assets', async () => {
    const response = await page(platform.gateway.url);
    const html = await response.text();
    expect(html).toMatch(/embeddable-sandbox/);
    const nonce = /<script nonce="([0-9a-f]+)"/.exec(html)?.[1];
    const csp = directives(response.headers.get('content-security-policy'));
    expect(csp.get('script-src')).toEqual(
      expect.arrayContaining([
        `'nonce-${nonce}'`,
        'https://embeddable-sandbox.cdn.apollographql.com',
      ]),
    );
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    const landing = await (await page(new URL('/', platform.gateway.url).toString())).text();
    expect(landing).toContain('Apollo Sandbox');
    const asset = await fetch(new URL('/explorer/assets/anything.js', platform.gateway.url));
    await asset.arrayBuffer();
    expect(asset.status).toBe(404);
  });

  it('serves the AI stream page and its script too (they load nothing from a CDN)', async () => {
    for (const path of ['/explorer/stream', STREAM_SCRIPT_PATH]) {
      const response = await page(new URL(path, platform.gateway.url).toString());
      await response.arrayBuffer();
      expect([path, response.status]).toEqual([path, 200]);
    }
  });
});

describe('no explorer: EXPLORER=off, and production whatever EXPLORER says', () => {
  let off: TestPlatform;
  let production: TestPlatform;
  beforeAll(async () => {
    [off, production] = await Promise.all([
      startTestPlatform({ EXPLORER: 'off' }),
      startTestPlatform({ ...PRODUCTION, EXPLORER: 'graphiql' }),
    ]);
  }, PLATFORM_SETUP_MS);
  afterAll(() => Promise.all([off?.stop(), production?.stop()]), PLATFORM_SETUP_MS);

  it('EXPLORER=off: no HTML on /graphql on either listener; / still links health and docs', async () => {
    for (const url of [off.gateway.url, off.gateway.internalUrl]) {
      const response = await page(url);
      const text = await response.text();
      expect(response.headers.get('content-type')).not.toMatch(/html/);
      expect(text).not.toMatch(/<html/i);
    }
    const landing = await page(new URL('/', off.gateway.url).toString());
    const html = await landing.text();
    expect(landing.status).toBe(200);
    expect(html).toContain('href="/health"');
    expect(html).not.toContain('href="/graphql"');
    expect(html).not.toContain('href="/explorer/stream"');
  });

  it('EXPLORER=off: no AI stream page nor its script, on either listener (404, as the explorer)', async () => {
    for (const base of [off.gateway.url, off.gateway.internalUrl])
      for (const path of ['/explorer/stream', STREAM_SCRIPT_PATH]) {
        const response = await page(new URL(path, base).toString());
        const text = await response.text();
        expect([path, response.status]).toEqual([path, 404]);
        expect(text).not.toMatch(/<html/i);
      }
    // POST /ai/stream itself is still served: the page is what is off, not the stream.
    const stream = await fetch(new URL('/ai/stream', off.gateway.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    await stream.arrayBuffer();
    expect(stream.status).toBe(401);
  });

  it('production: no HTML on /graphql, no landing page, no assets, no README', async () => {
    expect(production.gateway.explorer).toBe('off');
    for (const url of [production.gateway.url, production.gateway.internalUrl]) {
      const response = await page(url);
      const text = await response.text();
      expect(response.headers.get('content-type')).not.toMatch(/html/);
      expect(text).not.toMatch(/<html/i);
    }
    for (const path of [
      '/',
      '/README.md',
      '/explorer/assets/anything.js',
      '/explorer/stream',
      STREAM_SCRIPT_PATH,
    ]) {
      const response = await page(new URL(path, production.gateway.url).toString());
      await response.arrayBuffer();
      expect([path, response.status]).toEqual([path, 404]);
    }
  });
});
