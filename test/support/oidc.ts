import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';

/** Who signs in at the test provider, and what it says about their email. */
export interface OidcAccount {
  sub: string;
  email?: string;
  emailVerified?: boolean;
  name?: string;
  /** How the account authenticated (RFC 8176 amr), e.g. ['pwd', 'mfa']: the ID token's amr. */
  amr?: string[];
}

/** What the provider's redirect brought back to the client's callback page. */
export interface OidcCallback {
  code: string;
  state: string;
}

export interface TestOidcProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Plays the browser: follows the authorization URL, signs in as `account`, returns code and state from the redirect. */
  authorize(authorizationUrl: string, account: OidcAccount): Promise<OidcCallback>;
  stop(): Promise<void>;
}

/**
 * A real OpenID provider (oidc-provider, see oidc-provider.mjs) in a child process on
 * 127.0.0.1, with one client allowed to return to `redirectUris`.
 */
export async function startOidcProvider(redirectUris: string[]): Promise<TestOidcProvider> {
  const clientId = `bastion-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [resolve(__dirname, 'oidc-provider.mjs')], {
    env: {
      PATH: process.env.PATH,
      OIDC_TEST_CLIENTS: JSON.stringify([
        { client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris },
      ]),
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const issuer = await firstLine(child);
  return {
    issuer,
    clientId,
    clientSecret,
    authorize: (url, account) => authorize(url, account, redirectUris),
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

function firstLine(child: ChildProcess): Promise<string> {
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolveLine, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`oidc provider did not start: ${stderr}`)),
      15_000,
    );
    child.once('exit', (code) => reject(new Error(`oidc provider exited (${code}): ${stderr}`)));
    let stdout = '';
    child.stdout!.on('data', (chunk) => {
      stdout += String(chunk);
      if (!stdout.includes('\n')) return;
      clearTimeout(timer);
      resolveLine(stdout.split('\n')[0].trim());
    });
  });
}

/** Follows redirects by hand with a cookie jar, answering the provider's interaction with `account`. */
async function authorize(
  authorizationUrl: string,
  account: OidcAccount,
  redirectUris: string[],
): Promise<OidcCallback> {
  const cookies = new Map<string, string>();
  let next = new URL(authorizationUrl);
  for (let hop = 0; hop < 10; hop += 1) {
    const response = await fetch(next, {
      redirect: 'manual',
      headers: { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get('location');
    if (!location)
      throw new Error(
        `provider answered ${response.status} without a redirect: ${await response.text()}`,
      );
    const target = new URL(location, next);
    if (redirectUris.some((uri) => target.href.startsWith(`${uri}?`))) {
      const error = target.searchParams.get('error');
      if (error)
        throw new Error(
          `provider refused: ${error} ${target.searchParams.get('error_description') ?? ''}`,
        );
      return { code: target.searchParams.get('code')!, state: target.searchParams.get('state')! };
    }
    if (target.pathname.startsWith('/interaction/')) {
      target.searchParams.set('sub', account.sub);
      if (account.email) target.searchParams.set('email', account.email);
      target.searchParams.set('email_verified', String(account.emailVerified ?? false));
      if (account.name) target.searchParams.set('name', account.name);
      if (account.amr) target.searchParams.set('amr', account.amr.join(','));
    }
    next = target;
  }
  throw new Error('too many redirects at the provider');
}
