import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';
import { prefersHtml } from '../src/explorer/accept';

// A browser's navigation and what other clients send (written from the headers they really send).
const BROWSER =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
const PRODUCTION = {
  NODE_ENV: 'production',
  REFRESH_TOKEN_SECRET: 'refresh-secret-for-production-mode-tests-0123',
  MFA_ENCRYPTION_KEY: 'mfa-key-for-production-mode-tests-0123456789',
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
  });

  it('production: no HTML on /graphql, no landing page, no assets, no README', async () => {
    expect(production.gateway.explorer).toBe('off');
    for (const url of [production.gateway.url, production.gateway.internalUrl]) {
      const response = await page(url);
      const text = await response.text();
      expect(response.headers.get('content-type')).not.toMatch(/html/);
      expect(text).not.toMatch(/<html/i);
    }
    for (const path of ['/', '/README.md', '/explorer/assets/anything.js']) {
      const response = await page(new URL(path, production.gateway.url).toString());
      await response.arrayBuffer();
      expect([path, response.status]).toEqual([path, 404]);
    }
  });
});
