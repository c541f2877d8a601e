import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PLATFORM_SETUP_MS, startTestPlatform, type TestPlatform } from '@bastion/testing';

/** With TLS_CERT_FILE and TLS_KEY_FILE the gateway speaks HTTPS, TLS 1.3 only. */
describe('TLS on the gateway', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bastion-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  let platform: TestPlatform;

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    platform = await startTestPlatform({ TLS_CERT_FILE: cert, TLS_KEY_FILE: key });
  }, PLATFORM_SETUP_MS);
  afterAll(() => platform.stop(), PLATFORM_SETUP_MS);

  it('serves GraphQL over TLS 1.3', async () => {
    expect(platform.gateway.url).toMatch(/^https:/);
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        platform.gateway.url,
        { method: 'POST', ca: readFileSync(cert), headers: { 'content-type': 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ query: '{ aiModels { id } }' }));
    });
    expect(JSON.parse(body).data.aiModels.length).toBeGreaterThan(0);
  });

  it('sends HSTS on both listeners over TLS', async () => {
    for (const url of [platform.gateway.url, platform.gateway.internalUrl]) {
      const hsts = await new Promise<string | undefined>((resolve, reject) => {
        const req = request(new URL('/health', url), { ca: readFileSync(cert) }, (res) => {
          res.resume();
          res.on('end', () =>
            resolve(res.headers['strict-transport-security'] as string | undefined),
          );
        });
        req.on('error', reject);
        req.end();
      });
      // At least a year, as browsers' preload lists and OWASP ask.
      expect(Number(/max-age=(\d+)/.exec(hsts ?? '')?.[1])).toBeGreaterThanOrEqual(31_536_000);
    }
  });

  it('refuses TLS 1.2', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect(
        {
          host: '127.0.0.1',
          port: platform.gateway.port,
          ca: readFileSync(cert),
          maxVersion: 'TLSv1.2',
        },
        () => {
          resolve(`connected with ${socket.getProtocol()}`);
          socket.end();
        },
      );
      socket.on('error', (error) =>
        resolve(`refused: ${(error as NodeJS.ErrnoException).code ?? error.message}`),
      );
    });
    expect(outcome).toMatch(/^refused/);
  });
});
