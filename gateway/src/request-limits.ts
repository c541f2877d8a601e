import { GraphQLError, parse } from 'graphql';
import { HttpError, MAX_PAGE_SIZE, assertJsonDepth } from '@bastion/platform';
import { TOKEN_LIMIT_MESSAGE } from './limit-errors';
import type { CostSchema } from './cost-schema';
import {
  measureDocument,
  type DocumentLimits,
  type DocumentRequest,
  type LimitViolation,
} from './query-limits';

export interface OperationLimits extends DocumentLimits {
  maxTokens: number;
  maxCharacters: number;
  /** Operations in one HTTP batch; 0 refuses batches. */
  maxBatchOperations: number;
}

export const INTROSPECTION_MAX_DEPTH = 16;

/** Operations per batch outside production when MAX_BATCH_OPERATIONS is unset. */
export const DEFAULT_BATCH_OPERATIONS = 10;

/**
 * MAX_BATCH_OPERATIONS, else 0 in production (browsers and most clients send one operation per
 * request; a batch multiplies what one request may ask) and 10 elsewhere.
 */
export function batchLimitOf(config: { NODE_ENV?: string; MAX_BATCH_OPERATIONS?: number }): number {
  return (
    config.MAX_BATCH_OPERATIONS ?? (config.NODE_ENV === 'production' ? 0 : DEFAULT_BATCH_OPERATIONS)
  );
}

export function operationLimitsFrom(
  config: {
    MAX_QUERY_DEPTH: number;
    MAX_QUERY_ALIASES: number;
    MAX_QUERY_DIRECTIVES: number;
    MAX_FIELD_DIRECTIVES: number;
    MAX_QUERY_TOKENS: number;
    MAX_QUERY_CHARACTERS: number;
    NODE_ENV?: string;
    MAX_BATCH_OPERATIONS?: number;
    MAX_QUERY_COST: number;
    DEFAULT_LIST_SIZE: number;
  },
  costSchema?: CostSchema,
): OperationLimits {
  return {
    cost: costSchema && {
      schema: costSchema,
      maxCost: config.MAX_QUERY_COST,
      defaultListSize: config.DEFAULT_LIST_SIZE,
      maxPageSize: MAX_PAGE_SIZE,
    },
    maxDepth: config.MAX_QUERY_DEPTH,
    maxIntrospectionDepth: Math.max(config.MAX_QUERY_DEPTH, INTROSPECTION_MAX_DEPTH),
    maxAliases: config.MAX_QUERY_ALIASES,
    maxDirectives: config.MAX_QUERY_DIRECTIVES,
    maxFieldDirectives: config.MAX_FIELD_DIRECTIVES,
    maxTokens: config.MAX_QUERY_TOKENS,
    maxCharacters: config.MAX_QUERY_CHARACTERS,
    maxBatchOperations: batchLimitOf(config),
  };
}

type DocumentCheck = { violation: LimitViolation | null; cost: number };

/**
 * Checks already made, per limits, operation name, document and the numbers among the variables
 * (the cost reads only integer variables, through slicing arguments; other variables change
 * nothing a check measures): clients send the same few documents over and over, and parsing and
 * measuring each again was ~50 µs of a request. Bounded; the oldest entry goes first.
 */
const checked = new WeakMap<OperationLimits, Map<string, DocumentCheck>>();
const CHECKED_DOCUMENTS = 1_000;
/** Numbers in the variables beyond this many: the request is measured, not remembered. */
const REMEMBERED_NUMBERS = 8;

/** The numbers among the request's variables, name and value; null when there are too many. */
function numbersOf(variables: unknown): (string | number)[] | null {
  const numbers: (string | number)[] = [];
  if (typeof variables !== 'object' || variables === null || Array.isArray(variables))
    return numbers;
  for (const [name, value] of Object.entries(variables)) {
    if (typeof value !== 'number') continue;
    if (numbers.length >= 2 * REMEMBERED_NUMBERS) return null;
    numbers.push(name, value);
  }
  return numbers;
}

/** Characters, tokens, then depth, aliases, directives and cost of one document; no violation when it may run. */
export function checkDocument(
  query: string,
  limits: OperationLimits,
  request: DocumentRequest = {},
): DocumentCheck {
  const numbers = numbersOf(request.variables);
  if (query.length > limits.maxCharacters || numbers === null)
    return measure(query, limits, request);
  let cache = checked.get(limits);
  if (!cache) checked.set(limits, (cache = new Map()));
  // JSON first (it never holds a raw control character), so no two requests share a key.
  const key = `${JSON.stringify([request.operationName ?? null, ...numbers])}\u0001${query}`;
  const known = cache.get(key);
  if (known) return known;
  const result = measure(query, limits, request);
  if (cache.size >= CHECKED_DOCUMENTS) cache.delete(cache.keys().next().value as string);
  cache.set(key, result);
  return result;
}

function measure(query: string, limits: OperationLimits, request: DocumentRequest): DocumentCheck {
  if (query.length > limits.maxCharacters) {
    return {
      violation: {
        reason: 'MAX_CHARACTERS',
        message: `The document has ${query.length} characters; the limit is ${limits.maxCharacters}.`,
      },
      cost: 0,
    };
  }
  let document;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError && TOKEN_LIMIT_MESSAGE.test(error.message)) {
      return {
        violation: {
          reason: 'MAX_TOKENS',
          message: `The document has more than ${limits.maxTokens} tokens.`,
        },
        cost: 0,
      };
    }
    // Any other syntax error is Apollo's to report, with its location; it costs nothing to run.
    return { violation: null, cost: 0 };
  }
  return measureDocument(document, limits, request);
}

interface RequestedOperation extends DocumentRequest {
  query: string | null;
}

function operationOf(operation: unknown): RequestedOperation {
  if (typeof operation !== 'object' || operation === null) return { query: null };
  const { query, operationName, variables } = operation as {
    query?: unknown;
    operationName?: unknown;
    variables?: unknown;
  };
  return {
    query: typeof query === 'string' ? query : null,
    operationName: typeof operationName === 'string' ? operationName : null,
    variables,
  };
}

function operationOfSearch(search: URLSearchParams): RequestedOperation {
  let variables: unknown;
  const text = search.get('variables') ?? 'null';
  assertJsonDepth(text);
  try {
    variables = JSON.parse(text);
  } catch {
    // Apollo refuses malformed variables itself.
  }
  return { query: search.get('query'), operationName: search.get('operationName'), variables };
}

/**
 * Every limit, on the request as the HTTP layer parsed it and before Apollo parses, validates or
 * plans anything: a batch is counted as a JSON array before any of its documents is read, and a
 * refusal is one error, so a flood cannot amplify into one error per offending node. Returns the
 * estimated cost of the whole request (a batch: the sum of its operations).
 */
export function enforceOperationLimits(
  request: { body: unknown; search: URLSearchParams },
  limits: OperationLimits,
): number {
  const refuse = (violation: LimitViolation): never => {
    throw new HttpError(400, 'BAD_USER_INPUT', violation.message, {
      reason: violation.reason,
      ...violation.extensions,
    });
  };
  let operations: RequestedOperation[];
  if (Array.isArray(request.body)) {
    if (limits.maxBatchOperations === 0)
      refuse({ reason: 'MAX_BATCH', message: 'Batched requests are not accepted.' });
    if (request.body.length > limits.maxBatchOperations) {
      refuse({
        reason: 'MAX_BATCH',
        message: `The batch has ${request.body.length} operations; the limit is ${limits.maxBatchOperations}.`,
      });
    }
    operations = request.body.map(operationOf);
  } else {
    operations = [
      request.body === undefined ? operationOfSearch(request.search) : operationOf(request.body),
    ];
  }
  let total = 0;
  for (const operation of operations) {
    if (operation.query === null) continue;
    const { violation, cost } = checkDocument(operation.query, limits, operation);
    if (violation) refuse(violation);
    total += cost;
  }
  return total;
}
