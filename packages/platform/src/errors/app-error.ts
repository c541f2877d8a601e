import { GraphQLError } from 'graphql';
import { ERROR_CODES, type ErrorCode } from './codes';

export interface AppErrorOptions {
  message?: string;
  /** Safe, structured detail for the client (e.g. retryAfter, fieldErrors). Never internal state. */
  extensions?: Record<string, unknown>;
  /** For logs only; never serialized. */
  cause?: unknown;
  /** For the audit of a refusal (FORBIDDEN): what was refused, where. Never serialized. */
  denied?: DeniedSubject;
}

/** What a refused attempt aimed at, for its audit entry (see DeniedAttemptRecorder). */
export interface DeniedSubject {
  organizationId?: string;
  /** The statement refused, e.g. `member:invite`. */
  permission?: string;
}

/** An expected error: a registered code and a message that is safe to show. */
export class AppError extends GraphQLError {
  readonly code: ErrorCode;
  readonly denied?: DeniedSubject;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? ERROR_CODES[code].message, {
      extensions: { ...options.extensions, code },
      originalError: options.cause instanceof Error ? options.cause : undefined,
    });
    this.code = code;
    this.denied = options.denied;
    this.name = 'AppError';
  }
}

export const unauthenticated = (message?: string) => new AppError('UNAUTHENTICATED', { message });
export const forbidden = (message?: string) => new AppError('FORBIDDEN', { message });
export const notFound = (what = 'Resource') =>
  new AppError('NOT_FOUND', { message: `${what} not found.` });
export const conflict = (message: string) => new AppError('CONFLICT', { message });
export const invalidToken = (message?: string) => new AppError('INVALID_TOKEN', { message });

/** BAD_USER_INPUT with per-field messages a form can show next to its inputs. */
export function badInput(fieldErrors: Record<string, string>): AppError {
  const first = Object.values(fieldErrors)[0];
  return new AppError('BAD_USER_INPUT', {
    message: first ?? ERROR_CODES.BAD_USER_INPUT.message,
    extensions: { fieldErrors },
  });
}
