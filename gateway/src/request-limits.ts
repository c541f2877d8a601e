import { GraphQLError, parse } from 'graphql';
import { HttpError } from '@bastion/platform';
import { TOKEN_LIMIT_MESSAGE } from './limit-errors';
import { findLimitViolation, type DocumentLimits, type LimitViolation } from './query-limits';

export interface OperationLimits extends DocumentLimits {
  maxTokens: number;
  maxCharacters: number;
  /** Operations in one HTTP batch; 0 refuses batches. */
  maxBatchOperations: number;
}

export const INTROSPECTION_MAX_DEPTH = 16;

export function operationLimitsFrom(config: {
  MAX_QUERY_DEPTH: number; MAX_QUERY_ALIASES: number; MAX_QUERY_DIRECTIVES: number; MAX_FIELD_DIRECTIVES: number;
  MAX_QUERY_TOKENS: number; MAX_QUERY_CHARACTERS: number; MAX_BATCH_OPERATIONS: number;
}): OperationLimits {
  return {
    maxDepth: config.MAX_QUERY_DEPTH,
    maxIntrospectionDepth: Math.max(config.MAX_QUERY_DEPTH, INTROSPECTION_MAX_DEPTH),
    maxAliases: config.MAX_QUERY_ALIASES,
    maxDirectives: config.MAX_QUERY_DIRECTIVES,
    maxFieldDirectives: config.MAX_FIELD_DIRECTIVES,
    maxTokens: config.MAX_QUERY_TOKENS,
    maxCharacters: config.MAX_QUERY_CHARACTERS,
    maxBatchOperations: config.MAX_BATCH_OPERATIONS,
  };
}

/** Characters, tokens, then depth, aliases and directives of one document; null when it may run. */
export function checkDocument(query: string, limits: OperationLimits): LimitViolation | null {
  if (query.length > limits.maxCharacters) {
    return { reason: 'MAX_CHARACTERS', message: `The document has ${query.length} characters; the limit is ${limits.maxCharacters}.` };
  }
  let document;
  try {
    document = parse(query, { maxTokens: limits.maxTokens, noLocation: true });
  } catch (error) {
    if (error instanceof GraphQLError && TOKEN_LIMIT_MESSAGE.test(error.message)) {
      return { reason: 'MAX_TOKENS', message: `The document has more than ${limits.maxTokens} tokens.` };
    }
    // Any other syntax error is Apollo's to report, with its location.
    return null;
  }
  return findLimitViolation(document, limits);
}

function queryOf(operation: unknown): string | null {
  if (typeof operation !== 'object' || operation === null) return null;
  const { query } = operation as { query?: unknown };
  return typeof query === 'string' ? query : null;
}

/**
 * Every limit, on the request as the HTTP layer parsed it and before Apollo parses, validates or
 * plans anything: a batch is counted as a JSON array before any of its documents is read, and a
 * refusal is one error, so a flood cannot amplify into one error per offending node.
 */
export function enforceOperationLimits(request: { body: unknown; search: URLSearchParams }, limits: OperationLimits): void {
  const refuse = (violation: LimitViolation): never => {
    throw new HttpError(400, 'BAD_USER_INPUT', violation.message, { reason: violation.reason });
  };
  let queries: (string | null)[];
  if (Array.isArray(request.body)) {
    if (limits.maxBatchOperations === 0) refuse({ reason: 'MAX_BATCH', message: 'Batched requests are not accepted.' });
    if (request.body.length > limits.maxBatchOperations) {
      refuse({ reason: 'MAX_BATCH', message: `The batch has ${request.body.length} operations; the limit is ${limits.maxBatchOperations}.` });
    }
    queries = request.body.map(queryOf);
  } else {
    queries = [request.body === undefined ? request.search.get('query') : queryOf(request.body)];
  }
  for (const query of queries) {
    if (query === null) continue;
    const violation = checkDocument(query, limits);
    if (violation) refuse(violation);
  }
}
