import { z } from 'zod';
import {
  EVERY_TIME,
  booleanFlag,
  commonConfig,
  subgraphClaimsConfig,
  durationSeconds,
  jwtConfig,
  jwtKeyProblems,
  port,
  subgraphEntry,
  secret,
  serviceTokenEntries,
  consoleSetting,
} from '@bastion/platform';
import { webauthnConfig, webauthnConfigProblems } from './mfa/webauthn-config';
import { oauthConfig, oauthConfigProblems } from './oauth/oauth-config';
import { DEFAULT_MAX_CONCURRENT_HASHES, DEFAULT_MAX_QUEUED_HASHES } from './passwords/hash-slots';

export const authConfigSchema = z
  .object({
    ...commonConfig,
    ...subgraphClaimsConfig('auth'),
    ...jwtConfig,
    HOST: z.string().default('127.0.0.1'),
    AUTH_PORT: port(subgraphEntry('auth').port),
    ACCESS_TOKEN_TTL: durationSeconds('15m'),
    REFRESH_TOKEN_TTL: durationSeconds('7d'),
    /** Sliding renewal never extends a session past this age. */
    SESSION_MAX_AGE: durationSeconds('30d'),
    PASSWORD_PEPPER: z.string().min(16).optional(),
    /** Auth's own key for refresh-token successors; derived from the signing key outside production. */
    REFRESH_TOKEN_SECRET: secret().optional(),
    /**
     * Seals TOTP secrets at rest (AES-256-GCM) and keys recovery-code hashes; required in
     * production, a development key under DATA_DIR otherwise. Changing it voids every TOTP factor.
     */
    MFA_ENCRYPTION_KEY: secret().optional(),
    /** The issuer authenticator apps show next to the account (otpauth:// URI). */
    TOTP_ISSUER: z.string().min(1).max(64).default('Bastion'),
    /**
     * DNS servers that check SSO domain records (`host` or `host:port`, comma-separated); unset:
     * the system's resolvers.
     */
    SSO_DNS_SERVERS: z
      .string()
      .optional()
      .transform((value) =>
        value
          ?.split(',')
          .map((server) => server.trim())
          .filter(Boolean),
      ),
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(19456),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
    ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
    /** Password checks that may wait for a hashing slot; more get RATE_LIMITED at once. */
    ARGON2_MAX_QUEUE: z.coerce.number().int().min(0).default(DEFAULT_MAX_QUEUED_HASHES),
    /**
     * Hashes at once: default every core the process may run on but one (at least one), so the
     * event loop keeps a core (or, pinned to one core, a share of it) during a login storm.
     */
    ARGON2_MAX_CONCURRENT: z.coerce.number().int().min(1).default(DEFAULT_MAX_CONCURRENT_HASHES),
    REFRESH_COOKIE: booleanFlag(false),
    RATE_LIMIT_AUTH_PER_IP: z.coerce.number().int().positive().default(100),
    /** Links in mail; unset: the console (or with CONSOLE=off the gateway's own pages) outside production, http://localhost:3000 in production. */
    APP_URL: z.string().url().optional(),
    /** Whether the gateway serves the console: with APP_URL unset it is where the app is, mail links included (appBaseUrl). */
    ...consoleSetting,
    /**
     * The gateway's public origin as browsers and identity providers reach it: the SAML ACS, the
     * OIDC callback and SP entity ids hang off it. Unset: the gateway's local origin (development).
     */
    SSO_PUBLIC_URL: z.string().url().optional(),
    /** Where SSO sends the browser back with a code (exact allow-list); default `${APP_URL}/sso/callback`. */
    SSO_REDIRECT_URIS: z.string().optional(),
    /** Data exports a user may request per 24 hours (requestDataExport; README "Your data"). */
    DATA_EXPORTS_PER_DAY: z.coerce.number().int().min(1).max(100).default(3),
    /** Where auth reaches other services (orgs memberships), with AUTH_SERVICE_TOKEN. */
    GATEWAY_INTERNAL_URL: z.string().url().default('http://127.0.0.1:4010/graphql'),
    AUTH_SERVICE_TOKEN: z.string().min(20).optional(),
    /** The gateway's list of configured tokens: auth reads only their names, which issued tokens may not take. */
    SERVICE_TOKENS: serviceTokenEntries.optional(),
    /** Unset: mail is logged instead of sent (links included only outside production). */
    SMTP_URL: z.string().url().optional(),
    MAIL_FROM: z.string().min(3).default('Bastion <no-reply@localhost>'),
    /** GOOGLE_*, OIDC_* and OAUTH_REDIRECT_URIS: sign-in through OpenID Connect providers. */
    ...oauthConfig,
    /** WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME and WEBAUTHN_ORIGINS: passkeys. */
    ...webauthnConfig,
  })
  .superRefine((config, ctx) => {
    // Secrets are checked even when other fields failed: every missing one is listed at once.
    for (const message of jwtKeyProblems(config, true)) ctx.addIssue({ code: 'custom', message });
    if (config.NODE_ENV !== 'production') return;
    if (!config.PASSWORD_PEPPER)
      ctx.addIssue({
        code: 'custom',
        path: ['PASSWORD_PEPPER'],
        message: 'required in production',
      });
    if (!config.REFRESH_TOKEN_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['REFRESH_TOKEN_SECRET'],
        message: 'required in production (32+ bytes, auth only)',
      });
    if (!config.MFA_ENCRYPTION_KEY)
      ctx.addIssue({
        code: 'custom',
        path: ['MFA_ENCRYPTION_KEY'],
        message: 'required in production (32+ bytes, auth only; it seals TOTP secrets)',
      });
  }, EVERY_TIME)
  .superRefine((config, ctx) => {
    for (const { path, message } of [
      ...oauthConfigProblems(config),
      ...webauthnConfigProblems(config),
    ])
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (config.NODE_ENV !== 'production') return;
    // OWASP's floor for argon2id; weaker settings are only for tests and development.
    if (config.ARGON2_MEMORY_KIB < 19456 || config.ARGON2_TIME_COST < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['ARGON2_MEMORY_KIB'],
        message: 'production needs at least m=19456 KiB, t=2',
      });
    }
  });

export type AuthConfig = z.infer<typeof authConfigSchema>;
