import { ConfigError } from '../config/load-config';
import { StartupRefusal } from '../errors/startup-refusal';
import type { Logger } from '../logging/logger';

type Settings = Readonly<Record<string, unknown>>;

/**
 * What a failed start prints: one readable message for what an operator can fix (a bad
 * configuration, a port in use, a refusal), the full error with its stack for anything else.
 * `configs` are the parsed settings, to name the variable that chose a busy port.
 */
export function describeStartupError(error: unknown, configs: Settings[] = []): string | unknown {
  if (error instanceof ConfigError || error instanceof StartupRefusal) return error.message;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE' || code === 'EACCES') {
    const { port, address } = error as { port?: number; address?: string };
    const names = configs
      .flatMap((config) => Object.entries(config))
      .filter(([key, value]) => /(^|_)PORT$/.test(key) && value === port)
      .map(([key]) => key);
    const variable = names.length > 0 ? ` (set by ${[...new Set(names)].join(' / ')})` : '';
    const reason = code === 'EADDRINUSE' ? 'is already in use' : 'may not be opened by this user';
    return `Cannot listen: port ${port} on ${address ?? 'its host'} ${reason}${variable}; choose another port or stop the process holding it.`;
  }
  return error;
}

/**
 * A failed start, told twice: the readable message on stderr (what a person at a terminal reads,
 * the whole list of problems), and, when logs are JSON, one `fatal` record on stdout with the same
 * text, so a log collector sees why the process exited.
 */
export function reportStartupFailure(
  error: unknown,
  configs: Settings[] = [],
  logger?: Logger,
  json = true,
): void {
  const described = describeStartupError(error, configs);
  console.error(described);
  if (!logger || !json) return;
  if (typeof described === 'string') logger.fatal({ problem: described }, 'cannot start');
  else logger.fatal({ err: described }, 'cannot start');
}
