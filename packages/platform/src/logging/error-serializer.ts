import pino from 'pino';

/**
 * Keys an error may carry that hold the data of the failed operation rather than its cause:
 * TypeORM's QueryFailedError copies the SQL and its parameters (a password hash, an email) onto
 * itself, and PostgreSQL's `detail` / `where` quote the offending row ("Key (email)=(…)").
 */
const DATA_KEYS = new Set([
  'parameters',
  'params',
  'query',
  'sql',
  'detail',
  'where',
  'internalQuery',
  'values',
  'body',
  'config',
]);
const MAX_DEPTH = 4;

function scrub(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  const clean: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (!DATA_KEYS.has(key)) clean[key] = scrub(item, depth + 1);
  }
  return clean;
}

/**
 * pino's error serializer (type, message, stack, causes, codes) without the operation's data, at
 * any depth (`driverError`, aggregate errors): an error log names what failed, never whose data.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error);
  if (serialized === error) return error;
  return scrub(serialized, 0);
}
