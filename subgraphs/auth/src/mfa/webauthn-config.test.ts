import { ConfigError, loadConfig } from '@bastion/platform';
import { authConfigSchema } from '../config';
import { webauthnSettings } from './webauthn-config';

const base = { JWT_SECRET: 'x'.repeat(32), NODE_ENV: 'test' };
const load = (env: Record<string, string>) => loadConfig(authConfigSchema, { ...base, ...env });
const problemsOf = (env: Record<string, string>) => {
  try {
    load(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.filter((p) => /WEBAUTHN/.test(p));
    throw error;
  }
};

describe('webauthn configuration', () => {
  it('defaults to APP_URL (host as RP id, origin) plus the gateway outside production', () => {
    const settings = webauthnSettings(load({}), () => 'http://127.0.0.1:41234');
    expect(settings.rpId).toBe('localhost');
    expect(settings.rpName).toBe('Bastion');
    expect(settings.origins()).toEqual([
      'http://localhost:3000',
      'http://127.0.0.1:41234',
      'http://localhost:41234',
    ]);
    const app = webauthnSettings(load({ APP_URL: 'https://app.example.com/welcome' }));
    expect(app.rpId).toBe('app.example.com');
    expect(app.origins()).toEqual([
      'https://app.example.com',
      'http://127.0.0.1:4000',
      'http://localhost:4000',
    ]);
  });

  it('takes the listed origins and RP id as they are', () => {
    const settings = webauthnSettings(
      load({
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_RP_NAME: 'Example',
        WEBAUTHN_ORIGINS: 'https://example.com, https://app.example.com',
      }),
      () => 'http://127.0.0.1:4000',
    );
    expect(settings).toMatchObject({ rpId: 'example.com', rpName: 'Example' });
    expect(settings.origins()).toEqual(['https://example.com', 'https://app.example.com']);
  });

  it('refuses origins that are not origins or not on the RP id', () => {
    expect(problemsOf({ WEBAUTHN_ORIGINS: 'https://example.com/login' }).join()).toMatch(
      /not an origin/,
    );
    expect(
      problemsOf({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://evil.com' }).join(),
    ).toMatch(/not on the relying party/);
    expect(
      problemsOf({
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'https://notexample.com',
      }).join(),
    ).toMatch(/not on the relying party/);
    expect(problemsOf({ WEBAUTHN_RP_ID: 'https://example.com' }).join()).toMatch(/not a host name/);
    expect(
      problemsOf({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://a.example.com' }),
    ).toEqual([]);
  });

  it('requires https origins in production, except localhost', () => {
    const production = { NODE_ENV: 'production', WEBAUTHN_RP_ID: 'example.com' };
    expect(
      problemsOf({ ...production, WEBAUTHN_ORIGINS: 'http://app.example.com' }).join(),
    ).toMatch(/must be https in production/);
    expect(problemsOf({ ...production, WEBAUTHN_ORIGINS: 'https://app.example.com' })).toEqual([]);
    expect(
      problemsOf({ NODE_ENV: 'production', WEBAUTHN_ORIGINS: 'http://localhost:3000' }),
    ).toEqual([]);
    expect(
      problemsOf({ NODE_ENV: 'production', APP_URL: 'http://app.example.com' }).join(),
    ).toMatch(/production needs https/);
    expect(
      problemsOf({
        NODE_ENV: 'test',
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: 'http://example.com',
      }),
    ).toEqual([]);
  });
});
