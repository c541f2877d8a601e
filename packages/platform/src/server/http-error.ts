import type { ErrorCode } from '../errors/codes';

/** An HTTP answer with a contract error code, thrown by body parsing and request checks. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
