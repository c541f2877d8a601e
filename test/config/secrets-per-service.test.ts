import { aiConfigSchema } from '@bastion/ai';
import { authConfigSchema } from '@bastion/auth';
import { creditsConfigSchema } from '@bastion/credits';
import { gatewayConfigSchema } from '@bastion/gateway';
import { orgsConfigSchema } from '@bastion/orgs';
import { ConfigError, loadConfig, type Env } from '@bastion/platform';
import type { z } from 'zod';

// Which service may hold which secret (issue 7): a hand-written table, not read from the code.
const ACCESS_TOKEN_KEYS = ['JWT_SECRET', 'JWT_PRIVATE_KEY'];
const AUTH_ONLY = ['PASSWORD_PEPPER', 'REFRESH_TOKEN_SECRET'];
const CLAIMS = 'a-claims-secret-of-at-least-32-bytes-0123';
const fields = (schema: z.ZodType) =>
  Object.keys((schema as unknown as { shape: Record<string, unknown> }).shape);

function problemsOf(schema: z.ZodType, env: Env): string[] {
  try {
    loadConfig(schema, env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

// Keys a service holds on its own (issue 16: the audit chain's key lives with orgs only).
const AUDIT_KEY = { AUDIT_CHAIN_KEY: 'an-audit-chain-key-of-at-least-32-bytes-0' };
const OWN: Record<string, Record<string, string>> = { orgs: AUDIT_KEY, credits: {}, ai: {} };

describe.each([
  ['orgs', orgsConfigSchema],
  ['credits', creditsConfigSchema],
  ['ai', aiConfigSchema],
] as const)('the %s service', (name, schema) => {
  it('has no field for the access-token keys, the pepper or the refresh key', () => {
    expect(fields(schema)).toEqual(
      expect.arrayContaining(['INTERNAL_CLAIMS_SECRET', 'DATABASE_URL']),
    );
    for (const field of [...ACCESS_TOKEN_KEYS, ...AUTH_ONLY])
      expect(fields(schema)).not.toContain(field);
  });

  it('starts in production with INTERNAL_CLAIMS_SECRET (and its own keys) and no JWT_SECRET, and ignores one that is set', () => {
    const production = { NODE_ENV: 'production', INTERNAL_CLAIMS_SECRET: CLAIMS, ...OWN[name] };
    expect(problemsOf(schema, production)).toEqual([]);
    const config = loadConfig(schema, { ...production, JWT_SECRET: 'x'.repeat(40) });
    expect(Object.keys(config)).not.toContain('JWT_SECRET');
  });

  it('refuses production without INTERNAL_CLAIMS_SECRET (and its own keys), naming each', () => {
    expect(problemsOf(schema, { NODE_ENV: 'production' })).toEqual([
      expect.stringMatching(/^INTERNAL_CLAIMS_SECRET: required in production/),
      ...Object.keys(OWN[name]).map((key) =>
        expect.stringMatching(new RegExp(`^${key}: required in production`)),
      ),
    ]);
    expect(problemsOf(schema, { NODE_ENV: 'development' })).toEqual([]);
  });
});

describe('the audit chain key', () => {
  it('is read by orgs only', () => {
    expect(fields(orgsConfigSchema)).toContain('AUDIT_CHAIN_KEY');
    for (const schema of [
      authConfigSchema,
      creditsConfigSchema,
      aiConfigSchema,
      gatewayConfigSchema,
    ])
      expect(fields(schema)).not.toContain('AUDIT_CHAIN_KEY');
  });

  it('is at least 32 bytes', () => {
    expect(
      problemsOf(orgsConfigSchema, {
        NODE_ENV: 'production',
        INTERNAL_CLAIMS_SECRET: CLAIMS,
        AUDIT_CHAIN_KEY: 'short',
      }),
    ).toEqual([expect.stringMatching(/^AUDIT_CHAIN_KEY: must be at least 32 bytes/)]);
  });
});

describe('the auth service', () => {
  const production = {
    NODE_ENV: 'production',
    INTERNAL_CLAIMS_SECRET: CLAIMS,
    JWT_SECRET: 'j'.repeat(40),
    PASSWORD_PEPPER: 'p'.repeat(20),
  };

  it('holds the signing keys, the pepper and its own refresh key', () => {
    expect(fields(authConfigSchema)).toEqual(
      expect.arrayContaining([...ACCESS_TOKEN_KEYS, ...AUTH_ONLY, 'INTERNAL_CLAIMS_SECRET']),
    );
  });

  it('refuses production without REFRESH_TOKEN_SECRET, and lists every missing secret at once', () => {
    expect(problemsOf(authConfigSchema, production)).toEqual([
      expect.stringMatching(/^REFRESH_TOKEN_SECRET: required in production/),
    ]);
    expect(
      problemsOf(authConfigSchema, { ...production, REFRESH_TOKEN_SECRET: 'r'.repeat(40) }),
    ).toEqual([]);
    const everything = problemsOf(authConfigSchema, {
      NODE_ENV: 'production',
      AUTH_PORT: 'not a port',
    }).join('\n');
    for (const name of [
      'AUTH_PORT',
      'INTERNAL_CLAIMS_SECRET',
      'JWT_SECRET',
      'PASSWORD_PEPPER',
      'REFRESH_TOKEN_SECRET',
    ])
      expect(everything).toContain(name);
  });

  it('derives its refresh key outside production', () => {
    expect(problemsOf(authConfigSchema, { JWT_SECRET: 'j'.repeat(40) })).toEqual([]);
  });
});

describe('the gateway', () => {
  it('verifies access tokens but holds neither the pepper nor the refresh key', () => {
    expect(fields(gatewayConfigSchema)).toEqual(
      expect.arrayContaining(['JWT_SECRET', 'JWT_PUBLIC_KEYS', 'INTERNAL_CLAIMS_SECRET']),
    );
    for (const name of AUTH_ONLY) expect(fields(gatewayConfigSchema)).not.toContain(name);
  });

  it('needs JWT_SECRET for HS256 and INTERNAL_CLAIMS_SECRET in production', () => {
    const problems = problemsOf(gatewayConfigSchema, { NODE_ENV: 'production' }).join('\n');
    expect(problems).toMatch(/JWT_SECRET: required for HS256/);
    expect(problems).toMatch(/INTERNAL_CLAIMS_SECRET: required in production/);
  });
});
