import pino from 'pino';
import { claimsKeyVar } from '../auth/claims-keys';
import type { Env } from '../config/load-config';
import { SUBGRAPHS, SUBGRAPH_NAMES } from '../registry/subgraphs';
import { serializeError } from './error-serializer';

export type Logger = pino.Logger;

/** Paths never written to a log, whatever object they appear in. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'passwordHash',
  '*.passwordHash',
  'password_hash',
  '*.password_hash',
  'tokenHash',
  '*.tokenHash',
  'token',
  '*.token',
  'refreshToken',
  '*.refreshToken',
  'accessToken',
  '*.accessToken',
  'idToken',
  '*.idToken',
  'successor',
  '*.successor',
  'serviceToken',
  '*.serviceToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  'cookie',
  '*.cookie',
  'headers.cookie',
  'req.headers.cookie',
  '*.headers.cookie',
  'headers["set-cookie"]',
  '*.headers["set-cookie"]',
  'headers["x-bastion-claims"]',
  '*.headers["x-bastion-claims"]',
  '*.headers["x-service-token"]',
  'headers["x-service-token"]',
  'secret',
  '*.secret',
  'apiKey',
  '*.apiKey',
  'JWT_SECRET',
  'INTERNAL_CLAIMS_SECRET',
  ...SUBGRAPH_NAMES.map(claimsKeyVar),
  'REFRESH_TOKEN_SECRET',
  'PASSWORD_PEPPER',
  'AUDIT_CHAIN_KEY',
  'MFA_ENCRYPTION_KEY',
  'WEBHOOKS_ENCRYPTION_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'SMTP_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'GEMINI_API_KEY',
  'GOOGLE_CLIENT_SECRET',
  'OIDC_CLIENT_SECRET',
  // Every subgraph's service token its registry entry names (AUTH_SERVICE_TOKEN, ...).
  ...SUBGRAPHS.flatMap((entry) => (entry.serviceToken ? [entry.serviceToken.var] : [])),
  'JWT_PRIVATE_KEY',
];

/**
 * A pino logger with the redaction list and a data-free error serializer; stdout unless
 * `destination` (tests). JSON lines, or `format: 'pretty'` (LOG_FORMAT=pretty) for a developer's
 * terminal: one readable line per record (prettyDestination), through pino-pretty, a dev
 * dependency loaded only then.
 */
export function createLogger(
  options: { name: string; level?: string; format?: 'json' | 'pretty' },
  destination?: pino.DestinationStream,
): Logger {
  const settings: pino.LoggerOptions = {
    name: options.name,
    level: options.level ?? 'info',
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
    base: { pid: process.pid },
  };
  if (options.format === 'pretty') {
    const pretty = destination
      ? prettyDestination(destination, false)
      : prettyDestination(process.stdout, process.stdout.isTTY === true);
    if (pretty) return pino(settings, pretty);
    // The production image has no dev dependencies: say so once, then keep writing JSON.
    (destination ? pino(settings, destination) : pino(settings)).warn(
      'LOG_FORMAT=pretty needs the dev dependency pino-pretty; writing JSON',
    );
  }
  return destination ? pino(settings, destination) : pino(settings);
}

interface PrettyModule {
  prettyFactory(options: Record<string, unknown>): (record: string | object) => string;
}

function loadPretty(): PrettyModule | undefined {
  try {
    // A dev dependency, loaded only when asked for: absent from the production image.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('pino-pretty') as PrettyModule;
  } catch {
    return undefined;
  }
}

/** The fields of the gateway's request record (gateway/src/request-log.ts) that its one line shows. */
const REQUEST_FIELDS = [
  'requestId',
  'listener',
  'method',
  'path',
  'operationName',
  'viewer',
  'status',
  'durationMs',
] as const;

/**
 * A request record folded into its message: `POST /graphql Models 200 4.2ms user public <id>`,
 * other fields (e.g. `aborted`) kept. Any other record is returned as it came.
 */
export function compactRequestRecord(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (record.msg !== 'request' || typeof record.method !== 'string') return line;
  const { method, path, operationName, status, durationMs, viewer, listener, requestId } = record;
  const summary = [
    method,
    path,
    operationName,
    status,
    typeof durationMs === 'number' ? `${durationMs}ms` : null,
    viewer ?? 'refused',
    listener,
    requestId,
  ]
    .filter((part) => part !== null && part !== undefined && part !== '')
    .join(' ');
  const rest: Record<string, unknown> = { ...record, msg: summary };
  for (const key of REQUEST_FIELDS) delete rest[key];
  return `${JSON.stringify(rest)}\n`;
}

/**
 * Readable log lines, one per record: pino-pretty's formatter on one line (`singleLine`), the
 * gateway's request record folded into its message. Synchronous, written to `output`. Undefined
 * when pino-pretty is not installed.
 */
export function prettyDestination(
  output: { write(text: string): unknown },
  colorize: boolean,
): pino.DestinationStream | undefined {
  const pretty = loadPretty();
  if (!pretty) return undefined;
  const format = pretty.prettyFactory({
    colorize,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
  });
  return { write: (line: string) => void output.write(format(compactRequestRecord(line))) };
}

/**
 * The environment with LOG_FORMAT's default filled in: readable lines when a developer's terminal
 * is attached (stdout a TTY, outside production), JSON lines everywhere else (pipes, containers,
 * log collectors, production). An explicit LOG_FORMAT always wins.
 */
export function withDefaultLogFormat(env: Env): Env {
  if (env.LOG_FORMAT || env.NODE_ENV === 'production' || !process.stdout.isTTY) return env;
  return { ...env, LOG_FORMAT: 'pretty' };
}

/**
 * A process's own logger for what happens before (and around) its services: settings loaded,
 * the "running" summary, why it could not start. Reads LOG_LEVEL/LOG_FORMAT leniently, since the
 * configuration that would reject a bad value is not parsed yet.
 */
export function startupLogger(name: string, env: Env): Logger {
  const known =
    env.LOG_LEVEL === 'silent' ||
    (env.LOG_LEVEL !== undefined && env.LOG_LEVEL in pino.levels.values);
  const level = known ? env.LOG_LEVEL! : 'info';
  return createLogger({ name, level, format: env.LOG_FORMAT === 'pretty' ? 'pretty' : 'json' });
}
