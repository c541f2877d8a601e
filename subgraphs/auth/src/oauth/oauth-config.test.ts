import { ConfigError, loadConfig } from '@bastion/platform';
import { authConfigSchema } from '../config';
import { oauthProviders, oauthRedirectUris } from './oauth-config';

const base = { JWT_SECRET: 'x'.repeat(32), NODE_ENV: 'test' };
const problemsOf = (env: Record<string, string>) => {
  try {
    loadConfig(authConfigSchema, { ...base, ...env });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
};

describe('oauth configuration', () => {
  it('turns on a provider only when it is fully configured, and reports half-configured ones', () => {
    const config = loadConfig(authConfigSchema, {
      ...base,
      GOOGLE_CLIENT_ID: 'id',
      GOOGLE_CLIENT_SECRET: 'secret',
    });
    expect([...oauthProviders(config).keys()]).toEqual(['google']);
    expect(oauthProviders(config).get('google')!.issuer.href).toBe('https://accounts.google.com/');
    expect(problemsOf({ GOOGLE_CLIENT_ID: 'id' }).join()).toMatch(/GOOGLE_CLIENT_SECRET/);
    expect(problemsOf({ OIDC_ISSUER_URL: 'https://id.example.com' }).join()).toMatch(
      /OIDC_ISSUER_URL/,
    );
  });

  it('allows exactly the listed redirect URIs, by default the app callback', () => {
    expect([
      ...oauthRedirectUris(
        loadConfig(authConfigSchema, { ...base, APP_URL: 'https://app.example.com/' }),
      ),
    ]).toEqual(['https://app.example.com/oauth/callback']);
    const listed = loadConfig(authConfigSchema, {
      ...base,
      OAUTH_REDIRECT_URIS: 'https://a.example/cb, https://b.example/cb',
    });
    expect([...oauthRedirectUris(listed)]).toEqual([
      'https://a.example/cb',
      'https://b.example/cb',
    ]);
    expect(problemsOf({ OAUTH_REDIRECT_URIS: 'not a url' }).join()).toMatch(/OAUTH_REDIRECT_URIS/);
  });

  it('refuses a plain-http issuer in production', () => {
    const env = {
      NODE_ENV: 'production',
      OIDC_ISSUER_URL: 'http://id.example.com',
      OIDC_CLIENT_ID: 'id',
      OIDC_CLIENT_SECRET: 'secret',
    };
    expect(problemsOf(env).join()).toMatch(/OIDC_ISSUER_URL.*https/);
  });
});
