import { createHash } from 'node:crypto';
import type { ApolloGateway } from '@apollo/gateway';
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLScalarType,
  Kind,
  parse,
  typeFromAST,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';

/**
 * Query plans made at start for the documents the gateway will run (trusted documents), so their
 * first requests do not pay for planning (docs/performance.md). Each operation goes through
 * ApolloGateway's own executor, which keys its plan store as a request would (the sha256 of the
 * text, and the operation name); `experimental_didResolveQueryPlan` stops it once the plan is
 * made, before anything is sent to a subgraph.
 */
const WARMING = Symbol('bastion.planWarmup');

/** Thrown from didResolveQueryPlan for a warm-up request: the plan is stored, nothing executes. */
class PlanWarmed extends Error {}

/** The `experimental_didResolveQueryPlan` hook that ends warm-up requests once planned. */
export function stopWarmupAfterPlanning(options: { requestContext: { context?: unknown } }): void {
  const context = options.requestContext.context as Record<symbol, unknown> | undefined;
  if (context?.[WARMING]) throw new PlanWarmed();
}

export interface WarmupResult {
  planned: number;
  /** Operations not planned: the text did not parse, or a required variable's type has no sample value. */
  skipped: number;
}

/** Plans every operation of `documents` (texts) in `gateway`'s store. Never throws. */
export async function warmQueryPlans(
  gateway: ApolloGateway,
  documents: Iterable<string>,
): Promise<WarmupResult> {
  const result: WarmupResult = { planned: 0, skipped: 0 };
  const schema = gateway.schema;
  if (!schema) return result;
  for (const query of documents) {
    let document: DocumentNode;
    try {
      document = parse(query, { noLocation: true });
    } catch {
      result.skipped += 1;
      continue;
    }
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    // Requests name their operation, or leave it out when the document has only one.
    const names: (string | undefined)[] = operations.flatMap((o) => (o.name ? [o.name.value] : []));
    if (operations.length === 1) names.push(undefined);
    const queryHash = createHash('sha256').update(query).digest('hex');
    for (const operationName of names) {
      const operation =
        operations.length === 1
          ? operations[0]
          : operations.find((o) => o.name?.value === operationName);
      const variables = operation && sampleVariables(schema, operation);
      if (!variables) {
        result.skipped += 1;
        continue;
      }
      if (await planOnce(gateway, { query, operationName, variables, document, queryHash }))
        result.planned += 1;
      else result.skipped += 1;
    }
  }
  return result;
}

async function planOnce(
  gateway: ApolloGateway,
  request: {
    query: string;
    operationName: string | undefined;
    variables: Record<string, unknown>;
    document: DocumentNode;
    queryHash: string;
  },
): Promise<boolean> {
  const { document, queryHash, ...http } = request;
  const requestContext = {
    request: http,
    document,
    queryHash,
    operationName: request.operationName ?? null,
    contextValue: { [WARMING]: true },
    context: { [WARMING]: true },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    metrics: {},
    overallCachePolicy: undefined,
    cache: undefined,
    schema: gateway.schema,
    source: request.query,
  };
  try {
    await gateway.executor(requestContext as unknown as Parameters<ApolloGateway['executor']>[0]);
    return false;
  } catch (error) {
    return error instanceof PlanWarmed;
  }
}

/**
 * A value for every required variable (non-null without a default), as the gateway's executor
 * checks variables before it plans; the values never reach a subgraph. Null when one has no
 * sample (a custom scalar that takes none of the candidates).
 */
function sampleVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
): Record<string, unknown> | null {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.type.kind !== Kind.NON_NULL_TYPE || definition.defaultValue) continue;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    const value = type && sampleValue(type, 0);
    if (value === undefined) return null;
    variables[definition.variable.name.value] = value;
  }
  return variables;
}

const SCALAR_CANDIDATES: unknown[] = [
  '0',
  0,
  false,
  '2000-01-01T00:00:00.000Z',
  'a@example.com',
  {},
];

function sampleValue(type: GraphQLInputType, depth: number): unknown {
  if (depth > 8) return undefined;
  if (type instanceof GraphQLNonNull) return sampleValue(type.ofType as GraphQLInputType, depth);
  if (type instanceof GraphQLList) return [];
  if (type instanceof GraphQLEnumType) return type.getValues()[0]?.name;
  if (type instanceof GraphQLInputObjectType) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (!(field.type instanceof GraphQLNonNull) || field.defaultValue !== undefined) continue;
      const inner = sampleValue(field.type, depth + 1);
      if (inner === undefined) return undefined;
      value[field.name] = inner;
    }
    return value;
  }
  if (type instanceof GraphQLScalarType) {
    for (const candidate of SCALAR_CANDIDATES) {
      try {
        if (type.parseValue(candidate) !== undefined) return candidate;
      } catch {
        // not this one
      }
    }
  }
  return undefined;
}
