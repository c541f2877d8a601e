import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleEnabled } from '@bastion/platform';
import { gatewayConfigSchema } from './config';
import { CONSOLE_CSP, CONSOLE_DIST, consoleSite } from './console-route';
import { applySecurityHeaders } from './security-headers';

/** The policy the console is served with, directive by directive (issue 23; docs/security.md). */
const EXPECTED_CSP: Record<string, string> = {
  'default-src': "'self'",
  'script-src': "'self'",
  'style-src': "'self'",
  'img-src': "'self' data:",
  'connect-src': "'self'",
  'frame-ancestors': "'none'",
  'base-uri': "'none'",
  'form-action': "'self'",
};

function directives(csp: string | null): Record<string, string> {
  return Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((part) => part.trim())
      .filter(Boolean)
      .map((part) => {
        const [name, ...values] = part.split(/\s+/);
        return [name!, values.join(' ')];
      }),
  );
}

describe('CONSOLE: on outside production unless off, off in production unless on', () => {
  it.each([
    ['development', undefined, true],
    ['test', undefined, true],
    ['development', 'off', false],
    ['development', 'on', true],
    ['production', undefined, false],
    ['production', 'off', false],
    ['production', 'on', true],
  ] as const)('NODE_ENV=%s CONSOLE=%s: %s', (env, setting, expected) => {
    expect(consoleEnabled({ NODE_ENV: env, CONSOLE: setting })).toBe(expected);
  });

  it('the gateway config accepts on and off only', () => {
    const base = {
      NODE_ENV: 'development',
      JWT_SECRET: 'x'.repeat(40),
      INTERNAL_CLAIMS_SECRET: 'y'.repeat(40),
    };
    expect(gatewayConfigSchema.safeParse({ ...base, CONSOLE: 'on' }).success).toBe(true);
    expect(gatewayConfigSchema.safeParse({ ...base, CONSOLE: 'off' }).success).toBe(true);
    expect(gatewayConfigSchema.safeParse({ ...base, CONSOLE: 'yes' }).success).toBe(false);
  });
});

describe('the console site: files, SPA fallback, cache headers and its strict CSP', () => {
  let dist: string;
  let server: Server;
  let origin: string;
  let missing: Server;
  let missingOrigin: string;

  const serve = (site: ReturnType<typeof consoleSite>) =>
    createServer((req, res) => {
      applySecurityHeaders(req, res);
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      void site.serve(req, res, path).then((served) => {
        if (!served) {
          res.writeHead(404);
          res.end('gateway 404');
        }
      });
    });

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), '<!doctype html><title>console</title>');
    writeFileSync(join(dist, 'assets', 'index-abc123.js'), 'console.log(1)');
    writeFileSync(join(dist, 'robots.txt'), 'User-agent: *');
    writeFileSync(join(dist, '.build-stamp.json'), '{}');
    writeFileSync(join(tmpdir(), 'console-outside.txt'), 'outside');
    server = serve(consoleSite(dist));
    missing = serve(consoleSite(join(dist, 'nothing-here')));
    await Promise.all([
      new Promise<void>((done) => server.listen(0, '127.0.0.1', done)),
      new Promise<void>((done) => missing.listen(0, '127.0.0.1', done)),
    ]);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    missingOrigin = `http://127.0.0.1:${(missing.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((done) => server.close(done));
    await new Promise((done) => missing.close(done));
    rmSync(dist, { recursive: true, force: true });
  });

  it('serves index.html for /console, /console/ and any page path, never cached, under the CSP', async () => {
    for (const path of ['/console', '/console/', '/console/security', '/console/orgs/123']) {
      const response = await fetch(origin + path);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(directives(response.headers.get('content-security-policy'))).toEqual(EXPECTED_CSP);
      expect(await response.text()).toContain('<title>console</title>');
    }
  });

  it('serves hashed assets as immutable, other files as no-cache, both under the CSP', async () => {
    const asset = await fetch(`${origin}/console/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(directives(asset.headers.get('content-security-policy'))).toEqual(EXPECTED_CSP);
    const robots = await fetch(`${origin}/console/robots.txt`);
    expect(robots.headers.get('cache-control')).toBe('no-cache');
    // helmet's other headers stay.
    expect(asset.headers.get('x-frame-options')).toBe('DENY');
  });

  it('a missing asset is a 404, not the page; dotfiles and escapes are never files', async () => {
    expect((await fetch(`${origin}/console/assets/gone-000.js`)).status).toBe(404);
    const stamp = await fetch(`${origin}/console/.build-stamp.json`);
    expect(await stamp.text()).toContain('<title>console</title>');
    for (const path of [
      '/console/..%2f..%2fconsole-outside.txt',
      '/console/%2e%2e/%2e%2e/etc/passwd',
    ]) {
      const text = await (await fetch(origin + path)).text();
      expect(text).not.toContain('outside');
      expect(text).not.toContain('root:');
    }
  });

  it('leaves other paths and methods to the gateway', async () => {
    expect(await (await fetch(`${origin}/consoles`)).text()).toBe('gateway 404');
    expect(await (await fetch(`${origin}/graphql`)).text()).toBe('gateway 404');
    expect(await (await fetch(`${origin}/console/`, { method: 'POST' })).text()).toBe(
      'gateway 404',
    );
  });

  it('says the console is not built when dist is missing', async () => {
    const response = await fetch(`${missingOrigin}/console/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toMatch(/npm run build/);
  });

  it('the CSP constant is the expected policy', () => {
    expect(directives(CONSOLE_CSP)).toEqual(EXPECTED_CSP);
  });

  it('the real build (scripts/build.mjs, run by the test setup) has no inline script or style', () => {
    const html = readFileSync(join(CONSOLE_DIST, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(html).not.toMatch(/<style/);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/https?:\/\//);
    expect(readdirSync(join(CONSOLE_DIST, 'assets')).some((file) => file.endsWith('.js'))).toBe(
      true,
    );
  });
});
