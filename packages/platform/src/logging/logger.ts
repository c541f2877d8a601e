import pino from 'pino';

export type Logger = pino.Logger;

/** Paths never written to a log, whatever object they appear in. */
export const REDACTED_PATHS = [
  'password', '*.password', 'currentPassword', '*.currentPassword', 'newPassword', '*.newPassword',
  'token', '*.token', 'refreshToken', '*.refreshToken', 'accessToken', '*.accessToken',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization',
  'headers.cookie', 'req.headers.cookie', '*.headers["x-service-token"]', 'headers["x-service-token"]',
  'secret', '*.secret', 'apiKey', '*.apiKey',
  'JWT_SECRET', 'INTERNAL_CLAIMS_SECRET', 'REFRESH_TOKEN_SECRET', 'PASSWORD_PEPPER', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL',
  'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'GEMINI_API_KEY', 'GOOGLE_CLIENT_SECRET', 'OIDC_CLIENT_SECRET',
  'AUTH_SERVICE_TOKEN', 'AI_SERVICE_TOKEN', 'JWT_PRIVATE_KEY',
];

export function createLogger(options: { name: string; level?: string }): Logger {
  return pino({
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
  });
}
