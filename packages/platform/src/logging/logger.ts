import pino from 'pino';
import { serializeError } from './error-serializer';

export type Logger = pino.Logger;

/** Paths never written to a log, whatever object they appear in. */
export const REDACTED_PATHS = [
  'password', '*.password', 'currentPassword', '*.currentPassword', 'newPassword', '*.newPassword',
  'passwordHash', '*.passwordHash', 'password_hash', '*.password_hash', 'tokenHash', '*.tokenHash',
  'token', '*.token', 'refreshToken', '*.refreshToken', 'accessToken', '*.accessToken', 'idToken', '*.idToken',
  'successor', '*.successor', 'serviceToken', '*.serviceToken',
  'authorization', '*.authorization', 'headers.authorization', 'req.headers.authorization', '*.headers.authorization',
  'cookie', '*.cookie', 'headers.cookie', 'req.headers.cookie', '*.headers.cookie',
  'headers["set-cookie"]', '*.headers["set-cookie"]', 'headers["x-bastion-claims"]', '*.headers["x-bastion-claims"]',
  '*.headers["x-service-token"]', 'headers["x-service-token"]',
  'secret', '*.secret', 'apiKey', '*.apiKey',
  'JWT_SECRET', 'INTERNAL_CLAIMS_SECRET', 'REFRESH_TOKEN_SECRET', 'PASSWORD_PEPPER', 'DATABASE_URL', 'REDIS_URL', 'SMTP_URL',
  'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'GEMINI_API_KEY', 'GOOGLE_CLIENT_SECRET', 'OIDC_CLIENT_SECRET',
  'AUTH_SERVICE_TOKEN', 'ORGS_SERVICE_TOKEN', 'AI_SERVICE_TOKEN', 'JWT_PRIVATE_KEY',
];

/** A pino logger with the redaction list and a data-free error serializer; stdout unless `destination` (tests). */
export function createLogger(options: { name: string; level?: string }, destination?: pino.DestinationStream): Logger {
  const settings: pino.LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    base: { pid: process.pid },
  };
  return destination ? pino(settings, destination) : pino(settings);
}
