import { randomUUID } from 'node:crypto';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { SCOPES, type UserViewer, type Viewer } from '@bastion/platform';

export const TIER_CODES = ['UNAUTHENTICATED', 'FORBIDDEN', 'EMAIL_NOT_VERIFIED'];

/** A caller as the tier oracle sees it (test/tiers/expected.ts): no token details, only what a tier asks. */
export type MatrixCaller =
  | { kind: 'anonymous' }
  | { kind: 'user'; verified: boolean; owner: boolean }
  | { kind: 'service'; scopes: readonly string[] };

export interface NamedViewer {
  name: string;
  viewer: Viewer;
  caller: MatrixCaller;
}

/**
 * A signed-in user's viewer as a gateway would forward it, for claims a test signs itself:
 * verified, no organization, a password sign-in just now; `overrides` changes any of it.
 */
export function userViewer(userId: string, overrides: Partial<UserViewer> = {}): UserViewer {
  const now = Math.floor(Date.now() / 1000);
  return {
    kind: 'user',
    userId,
    sessionId: randomUUID(),
    emailVerified: true,
    organizationId: null,
    role: null,
    tokenId: randomUUID(),
    issuedAt: now,
    amr: ['pwd'],
    authTime: now,
    mfaEnrolled: false,
    ...overrides,
  };
}

/**
 * The five callers every root field is tried with; "service with scope" holds the field's scopes
 * (every scope when the field lists none), "service without scope" holds none. Root fields have no
 * parent, so no user is an owner.
 */
export function matrixViewers(
  fieldScopes: readonly string[],
  userId = randomUUID(),
): NamedViewer[] {
  const user = {
    kind: 'user' as const,
    userId,
    sessionId: randomUUID(),
    organizationId: null,
    role: null,
    tokenId: randomUUID(),
    issuedAt: Math.floor(Date.now() / 1000),
    amr: ['pwd'],
    authTime: Math.floor(Date.now() / 1000),
    mfaEnrolled: false,
  };
  const withScopes = fieldScopes.length > 0 ? [...fieldScopes] : [...SCOPES];
  return [
    { name: 'anonymous', viewer: { kind: 'anonymous' }, caller: { kind: 'anonymous' } },
    {
      name: 'user',
      viewer: { ...user, emailVerified: false },
      caller: { kind: 'user', verified: false, owner: false },
    },
    {
      name: 'verified user',
      viewer: { ...user, emailVerified: true },
      caller: { kind: 'user', verified: true, owner: false },
    },
    {
      name: 'service with scope',
      viewer: { kind: 'service', name: 'matrix', scopes: withScopes },
      caller: { kind: 'service', scopes: withScopes },
    },
    {
      name: 'service without scope',
      viewer: { kind: 'service', name: 'matrix', scopes: [] },
      caller: { kind: 'service', scopes: [] },
    },
  ];
}

/** A syntactically valid value for an input type (resolvers may still refuse it: that is not a tier error). */
export function sampleValue(type: GraphQLInputType): unknown {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return [sampleValue(nullable.ofType)];
  if (isEnumType(nullable)) return nullable.getValues()[0].value;
  if (isInputObjectType(nullable)) {
    return Object.fromEntries(
      Object.values(nullable.getFields())
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, sampleValue(f.type)]),
    );
  }
  if (isScalarType(nullable)) {
    switch (nullable.name) {
      case 'ID':
        return randomUUID();
      case 'Int':
        return 1;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'DateTime':
        return new Date().toISOString();
      default:
        return 'sample';
    }
  }
  return null;
}

/** `field(arg: $arg, …) { __typename }` with variables for every required argument. */
export function fieldOperation(field: GraphQLField<unknown, unknown>): {
  selection: string;
  variableDefs: string;
  variables: Record<string, unknown>;
} {
  const required = field.args.filter((a: GraphQLArgument) => isNonNullType(a.type));
  const variables = Object.fromEntries(required.map((a) => [a.name, sampleValue(a.type)]));
  const variableDefs = required.map((a) => `$${a.name}: ${a.type.toString()}`).join(', ');
  const args = required.map((a) => `${a.name}: $${a.name}`).join(', ');
  const named = getNamedType(field.type);
  const subselection =
    isObjectType(named) || (!isScalarType(named) && !isEnumType(named)) ? ' { __typename }' : '';
  return {
    selection: `${field.name}${args ? `(${args})` : ''}${subselection}`,
    variableDefs,
    variables,
  };
}

export function rootFields(
  schema: GraphQLSchema,
): { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] {
  const fields: { operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }[] = [];
  for (const [operation, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      if (!field.name.startsWith('_')) fields.push({ operation, field });
    }
  }
  return fields;
}
