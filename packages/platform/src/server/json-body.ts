import { HttpError } from './http-error';

/**
 * The deepest nesting of arrays and objects a request body may have. GraphQL variables of this
 * platform's inputs nest a few levels; 64 leaves ample room and keeps a body of nested brackets
 * (one 1 MB body can hold 500,000 levels) from costing a JSON parse and every walk after it.
 */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

export interface JsonDepthScan {
  /** The deepest nesting seen (the whole text when within the limit). */
  depth: number;
  /** Characters (bytes of a Buffer) read: the whole text, or up to the first bracket over the limit. */
  scanned: number;
  tooDeep: boolean;
}

/**
 * One pass over JSON text that counts bracket nesting outside strings and stops at the first
 * bracket over `maxDepth`. It validates nothing else (JSON.parse does, once the depth is known to
 * be safe). On a Buffer it reads bytes: in UTF-8 every byte of a multi-byte character is >= 0x80,
 * so quotes, backslashes and brackets are never mistaken inside one.
 */
export function scanJsonDepth(text: Buffer | string, maxDepth = MAX_JSON_DEPTH): JsonDepthScan {
  const at = typeof text === 'string' ? (i: number) => text.charCodeAt(i) : (i: number) => text[i];
  const length = text.length;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < length; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      depth++;
      if (depth > maxDepth) return { depth, scanned: i + 1, tooDeep: true };
      if (depth > deepest) deepest = depth;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return { depth: deepest, scanned: length, tooDeep: false };
}

export function jsonTooDeepError(maxDepth = MAX_JSON_DEPTH): HttpError {
  return new HttpError(
    400,
    'BAD_USER_INPUT',
    `The JSON nests arrays and objects deeper than ${maxDepth} levels.`,
    { reason: 'JSON_TOO_DEEP' },
  );
}

/** Refuses (a coded 400) JSON text nested deeper than `maxDepth`, before anything parses it. */
export function assertJsonDepth(text: Buffer | string, maxDepth = MAX_JSON_DEPTH): void {
  if (scanJsonDepth(text, maxDepth).tooDeep) throw jsonTooDeepError(maxDepth);
}

/**
 * JSON.parse of a request body (or query parameter) whose size the caller has already bounded,
 * after the depth scan: too deep is BAD_USER_INPUT with reason JSON_TOO_DEEP, malformed is
 * BAD_USER_INPUT with reason INVALID_JSON. Empty text is `undefined`.
 */
export function parseJsonBody(text: Buffer | string, maxDepth = MAX_JSON_DEPTH): unknown {
  if (text.length === 0) return undefined;
  assertJsonDepth(text, maxDepth);
  try {
    return JSON.parse(typeof text === 'string' ? text : text.toString('utf8')) as unknown;
  } catch {
    throw new HttpError(400, 'BAD_USER_INPUT', 'The request body is not valid JSON.', {
      reason: 'INVALID_JSON',
    });
  }
}
