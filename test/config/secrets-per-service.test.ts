import { aiConfigSchema } from '@bastion/ai';
import { authConfigSchema } from '@bastion/auth';
import { creditsConfigSchema } from '@bastion/credits';
import { gatewayConfigSchema } from '@bastion/gateway';
import { orgsConfigSchema } from '@bastion/orgs';
import { webhooksConfigSchema } from '@bastion/webhooks';
import {
  ConfigError,
  EVERY_TIME,
  deploymentProblems,
  deriveSubgraphClaimsKey,
  loadConfig,
  withSubgraphClaimsKey,
  type Env,
} from '@bastion/platform';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import YAML from 'yaml';
import type { z } from 'zod';

// Which service may hold which secret (issue 7): a hand-written table, not read from the code.
const ACCESS_TOKEN_KEYS = ['JWT_SECRET', 'JWT_PRIVATE_KEY'];
const AUTH_ONLY = ['PASSWORD_PEPPER', 'REFRESH_TOKEN_SECRET', 'MFA_ENCRYPTION_KEY'];
const CLAIMS = 'a-claims-secret-of-at-least-32-bytes-0123';
/** Every subgraph's own claims key setting (issue 16), written out by hand. */
const CLAIMS_KEYS = {
  auth: 'AUTH_CLAIMS_KEY',
  orgs: 'ORGS_CLAIMS_KEY',
  credits: 'CREDITS_CLAIMS_KEY',
  ai: 'AI_CLAIMS_KEY',
  webhooks: 'WEBHOOKS_CLAIMS_KEY',
} as const;
const ownKey = (name: keyof typeof CLAIMS_KEYS) => ({
  [CLAIMS_KEYS[name]]: deriveSubgraphClaimsKey(CLAIMS, name),
});
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

// Keys a service holds on its own (issue 16: the audit chain's key lives with orgs only; issue
// 20: the endpoints' signing secrets are sealed with webhooks' own key).
const AUDIT_KEY = { AUDIT_CHAIN_KEY: 'an-audit-chain-key-of-at-least-32-bytes-0' };
const WEBHOOKS_KEY = { WEBHOOKS_ENCRYPTION_KEY: 'a-webhooks-key-of-at-least-32-bytes-01234' };
const OWN: Record<string, Record<string, string>> = {
  orgs: AUDIT_KEY,
  credits: {},
  ai: {},
  webhooks: WEBHOOKS_KEY,
};

describe.each([
  ['orgs', orgsConfigSchema],
  ['credits', creditsConfigSchema],
  ['ai', aiConfigSchema],
  ['webhooks', webhooksConfigSchema],
] as const)('the %s service', (name, schema) => {
  it('has no field for the access-token keys, the pepper or the refresh key', () => {
    expect(fields(schema)).toEqual(expect.arrayContaining([CLAIMS_KEYS[name], 'DATABASE_URL']));
    for (const field of [...ACCESS_TOKEN_KEYS, ...AUTH_ONLY])
      expect(fields(schema)).not.toContain(field);
  });

  it('starts in production with its own claims key and no JWT_SECRET, and ignores one that is set', () => {
    // What runSubgraphMain adds for a subgraph's own process.
    const own = schema.superRefine(
      deploymentProblems({ database: false, claimsKey: CLAIMS_KEYS[name] }) as never,
      EVERY_TIME,
    );
    expect(problemsOf(own, { NODE_ENV: 'production', ...ownKey(name), ...OWN[name] })).toEqual([]);
    const config = loadConfig(own, {
      NODE_ENV: 'production',
      ...ownKey(name),
      ...OWN[name],
      JWT_SECRET: 'x'.repeat(40),
    });
    expect(Object.keys(config)).not.toContain('JWT_SECRET');
    expect(problemsOf(own, { NODE_ENV: 'production' })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${CLAIMS_KEYS[name]}: required in production`)),
        ...Object.keys(OWN[name]).map((key) =>
          expect.stringMatching(new RegExp(`^${key}: required in production`)),
        ),
      ]),
    );
    expect(problemsOf(own, { NODE_ENV: 'production' })).toHaveLength(
      1 + Object.keys(OWN[name]).length,
    );
    expect(problemsOf(own, { NODE_ENV: 'development' })).toEqual([]);
  });
});

describe.each([
  ['auth', authConfigSchema],
  ['orgs', orgsConfigSchema],
  ['credits', creditsConfigSchema],
  ['ai', aiConfigSchema],
  ['webhooks', webhooksConfigSchema],
] as const)("the %s process's claims key", (name, schema) => {
  const others = Object.entries(CLAIMS_KEYS).filter(([other]) => other !== name);

  it("reads its own key, and neither the gateway's master nor another subgraph's key", () => {
    expect(fields(schema)).toContain(CLAIMS_KEYS[name]);
    expect(fields(schema)).not.toContain('INTERNAL_CLAIMS_SECRET');
    for (const [, variable] of others) expect(fields(schema)).not.toContain(variable);
    const everything = {
      INTERNAL_CLAIMS_SECRET: CLAIMS,
      ...Object.fromEntries(
        Object.keys(CLAIMS_KEYS).map((n) => [
          CLAIMS_KEYS[n as keyof typeof CLAIMS_KEYS],
          deriveSubgraphClaimsKey(CLAIMS, n),
        ]),
      ),
    };
    const config = loadConfig(schema, { JWT_SECRET: 'j'.repeat(40), ...everything }) as Record<
      string,
      unknown
    >;
    const held = Object.keys(config).filter((key) => key in everything);
    expect(held).toEqual([CLAIMS_KEYS[name]]);
  });

  it('refuses a key that is not the 43-character derived one (the master pasted by mistake)', () => {
    expect(
      problemsOf(schema, { JWT_SECRET: 'j'.repeat(40), [CLAIMS_KEYS[name]]: `${CLAIMS}=+/` }),
    ).toEqual([
      expect.stringMatching(new RegExp(`^${CLAIMS_KEYS[name]}: must be the 43-character`)),
    ]);
  });

  it('starts alone outside production on a key derived from the master, which it then drops', () => {
    const { env, generated } = withSubgraphClaimsKey(
      { NODE_ENV: 'development', INTERNAL_CLAIMS_SECRET: CLAIMS },
      name,
    );
    expect(env).toEqual({ NODE_ENV: 'development', ...ownKey(name) });
    expect(generated).toEqual([]);
    // Nothing given: derived from the development master under DATA_DIR, which the gateway shares.
    const DATA_DIR = mkdtempSync(join(tmpdir(), 'bastion-claims-'));
    const fresh = withSubgraphClaimsKey({ DATA_DIR }, name);
    expect(fresh.generated).toEqual([CLAIMS_KEYS[name]]);
    const master = readFileSync(join(DATA_DIR, 'development-internal-claims-secret'), 'utf8');
    expect(fresh.env).toEqual({
      DATA_DIR,
      [CLAIMS_KEYS[name]]: deriveSubgraphClaimsKey(master.trim(), name),
    });
  });

  it("refuses the gateway's master in production, naming what to give instead", () => {
    expect(() =>
      withSubgraphClaimsKey({ NODE_ENV: 'production', INTERNAL_CLAIMS_SECRET: CLAIMS }, name),
    ).toThrow(
      expect.objectContaining({
        problems: [
          expect.stringMatching(
            new RegExp(`never a subgraph's; give ${name} only ${CLAIMS_KEYS[name]}`),
          ),
        ],
      }),
    );
    expect(withSubgraphClaimsKey({ NODE_ENV: 'production', ...ownKey(name) }, name).env).toEqual({
      NODE_ENV: 'production',
      ...ownKey(name),
    });
  });
});

describe('docker-compose.yml and its secret files', () => {
  const ROOT = join(__dirname, '../..');
  type Service = { secrets?: string[]; environment?: Record<string, string> };
  const compose = YAML.parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8'), {
    merge: true,
  }) as { services: Record<string, Service> };

  it.each(Object.keys(CLAIMS_KEYS))(
    'gives %s its own claims key file only, never internal_claims_secret',
    (name) => {
      const service = compose.services[name]!;
      const variable = CLAIMS_KEYS[name as keyof typeof CLAIMS_KEYS];
      expect(service.secrets).toContain(`${name}_claims_key`);
      expect(service.environment?.[`${variable}_FILE`]).toBe(`/run/secrets/${name}_claims_key`);
      const claimsSecrets = (service.secrets ?? []).filter((s) => /claims/.test(s));
      expect(claimsSecrets).toEqual([`${name}_claims_key`]);
      const claimsSettings = Object.keys(service.environment ?? {}).filter((k) => /CLAIMS/.test(k));
      expect(claimsSettings).toEqual([`${variable}_FILE`]);
    },
  );

  it('gives the gateway the master, and writes each key as the platform derives it', () => {
    expect(compose.services.gateway!.secrets).toContain('internal_claims_secret');
    expect(compose.services.gateway!.environment?.INTERNAL_CLAIMS_SECRET_FILE).toBe(
      '/run/secrets/internal_claims_secret',
    );
    const dir = join(mkdtempSync(join(tmpdir(), 'bastion-compose-')), 'secrets');
    execFileSync(process.execPath, [join(ROOT, 'scripts/compose-secrets.mjs'), '--dir', dir]);
    const master = readFileSync(join(dir, 'internal_claims_secret'), 'utf8').trim();
    for (const name of Object.keys(CLAIMS_KEYS))
      expect(readFileSync(join(dir, `${name}_claims_key`), 'utf8')).toBe(
        deriveSubgraphClaimsKey(master, name),
      );
    const printed = execFileSync(process.execPath, [join(ROOT, 'scripts/claims-keys.mjs')], {
      env: {
        PATH: process.env.PATH,
        INTERNAL_CLAIMS_SECRET_FILE: join(dir, 'internal_claims_secret'),
      },
      encoding: 'utf8',
    });
    expect(printed.trim().split('\n')).toEqual(
      Object.entries(CLAIMS_KEYS).map(
        ([name, variable]) => `${variable}=${deriveSubgraphClaimsKey(master, name)}`,
      ),
    );
  });
});

describe('the audit chain key', () => {
  it('is read by orgs only', () => {
    expect(fields(orgsConfigSchema)).toContain('AUDIT_CHAIN_KEY');
    for (const schema of [
      authConfigSchema,
      creditsConfigSchema,
      aiConfigSchema,
      webhooksConfigSchema,
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

describe('the webhooks encryption key', () => {
  it('is read by webhooks only', () => {
    expect(fields(webhooksConfigSchema)).toContain('WEBHOOKS_ENCRYPTION_KEY');
    for (const schema of [
      authConfigSchema,
      orgsConfigSchema,
      creditsConfigSchema,
      aiConfigSchema,
      gatewayConfigSchema,
    ])
      expect(fields(schema)).not.toContain('WEBHOOKS_ENCRYPTION_KEY');
  });

  it('is at least 32 bytes', () => {
    expect(
      problemsOf(webhooksConfigSchema, {
        NODE_ENV: 'production',
        ...ownKey('webhooks'),
        WEBHOOKS_ENCRYPTION_KEY: 'short',
      }),
    ).toEqual([expect.stringMatching(/^WEBHOOKS_ENCRYPTION_KEY: must be at least 32 bytes/)]);
  });
});

describe('the auth service', () => {
  const production = {
    NODE_ENV: 'production',
    ...ownKey('auth'),
    JWT_SECRET: 'j'.repeat(40),
    PASSWORD_PEPPER: 'p'.repeat(20),
  };

  it('holds the signing keys, the pepper and its own refresh key', () => {
    expect(fields(authConfigSchema)).toEqual(
      expect.arrayContaining([...ACCESS_TOKEN_KEYS, ...AUTH_ONLY, 'AUTH_CLAIMS_KEY']),
    );
  });

  it('refuses production without REFRESH_TOKEN_SECRET or MFA_ENCRYPTION_KEY, and lists every missing secret at once', () => {
    expect(problemsOf(authConfigSchema, production)).toEqual([
      expect.stringMatching(/^REFRESH_TOKEN_SECRET: required in production/),
      expect.stringMatching(/^MFA_ENCRYPTION_KEY: required in production/),
    ]);
    expect(
      problemsOf(authConfigSchema, {
        ...production,
        REFRESH_TOKEN_SECRET: 'r'.repeat(40),
        MFA_ENCRYPTION_KEY: 'm'.repeat(40),
      }),
    ).toEqual([]);
    expect(
      problemsOf(authConfigSchema, {
        ...production,
        REFRESH_TOKEN_SECRET: 'r'.repeat(40),
        MFA_ENCRYPTION_KEY: 'short',
      }),
    ).toEqual([expect.stringMatching(/^MFA_ENCRYPTION_KEY: must be at least 32 bytes/)]);
    const everything = problemsOf(authConfigSchema, {
      NODE_ENV: 'production',
      AUTH_PORT: 'not a port',
    }).join('\n');
    for (const name of [
      'AUTH_PORT',
      'JWT_SECRET',
      'PASSWORD_PEPPER',
      'REFRESH_TOKEN_SECRET',
      'MFA_ENCRYPTION_KEY',
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

  it('holds no subgraph claims key: it derives them from the master', () => {
    for (const variable of Object.values(CLAIMS_KEYS))
      expect(fields(gatewayConfigSchema)).not.toContain(variable);
  });

  it('needs JWT_SECRET for HS256 and INTERNAL_CLAIMS_SECRET in production', () => {
    const problems = problemsOf(gatewayConfigSchema, { NODE_ENV: 'production' }).join('\n');
    expect(problems).toMatch(/JWT_SECRET: required for HS256/);
    expect(problems).toMatch(/INTERNAL_CLAIMS_SECRET: required in production/);
  });
});

describe('a missing service token in production', () => {
  it('says where to learn to make one (a section that exists: test/docs/citations.test.ts)', () => {
    const own = orgsConfigSchema.superRefine(
      deploymentProblems({
        database: false,
        claimsKey: CLAIMS_KEYS.orgs,
        serviceTokens: ['ORGS_SERVICE_TOKEN'],
      }) as never,
      EVERY_TIME,
    );
    expect(problemsOf(own, { NODE_ENV: 'production', ...ownKey('orgs'), ...AUDIT_KEY })).toEqual([
      'ORGS_SERVICE_TOKEN: required in production when services run as separate processes: make one as docs/operations.md "Making service tokens" says',
    ]);
  });
});
