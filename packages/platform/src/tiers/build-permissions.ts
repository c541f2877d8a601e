import { getDirective } from '@graphql-tools/utils';
import { isObjectType, type GraphQLSchema } from 'graphql';
import { allow, chain, deny, shield, type IRules } from 'graphql-shield';
import { AppError } from '../errors/app-error';
import { SCOPES } from '../auth/viewer';
import { API_KEY_CAPABILITIES, isApiKeyCapability } from '../auth/api-keys';
import { notImpersonated, ruleForTier, type TierLevel, type TierSpec } from './rules';

/** Federation plumbing the gateway needs; entity fields behind `_entities` keep their own tiers. */
const FEDERATION_FIELDS: Record<string, string[]> = {
  Query: ['_service', '_entities'],
  _Service: ['sdl'],
};

export class MissingTierError extends Error {
  constructor(readonly fields: string[]) {
    super(`Every field needs a @tier; missing on: ${fields.join(', ')}`);
    this.name = 'MissingTierError';
  }
}

export class UnknownScopeError extends Error {
  constructor(readonly unknown: Map<string, string[]>) {
    const list = [...unknown]
      .map(([scope, fields]) => `"${scope}" on ${fields.join(', ')}`)
      .join('; ');
    super(
      `@tier names scopes the registry (SCOPES in auth/viewer.ts) does not know: ${list}. Known scopes: ${SCOPES.join(', ')}`,
    );
    this.name = 'UnknownScopeError';
  }
}

/** A misspelt scope would make a field unreachable for every service: refuse it at start instead. */
function checkScopes(tiers: Map<string, TierSpec>): void {
  const known: readonly string[] = SCOPES;
  const unknown = new Map<string, string[]>();
  for (const [path, spec] of tiers) {
    for (const scope of spec.scopes)
      if (!known.includes(scope)) unknown.set(scope, [...(unknown.get(scope) ?? []), path]);
  }
  if (unknown.size > 0) throw new UnknownScopeError(unknown);
}

function readTier(
  schema: GraphQLSchema,
  node: Parameters<typeof getDirective>[1],
): TierSpec | undefined {
  const directive = getDirective(schema, node, 'tier')?.[0];
  if (!directive) return undefined;
  return {
    level: directive.level as TierLevel,
    scopes: (directive.scopes as string[] | undefined) ?? [],
    owner: directive.owner as string | undefined,
    ...(typeof directive.stepUp === 'number' ? { stepUp: directive.stepUp } : {}),
    ...(typeof directive.capability === 'string' ? { capability: directive.capability } : {}),
  };
}

/**
 * Reads every field's tier from the schema: a field's own `@tier`, else its type's. Root fields
 * must carry their own. Throws listing every field without one: a forgotten tier stops the start.
 */
export function readTiers(schema: GraphQLSchema): Map<string, TierSpec> {
  const tiers = new Map<string, TierSpec>();
  const missing: string[] = [];
  const rootNames = new Set([
    schema.getQueryType()?.name,
    schema.getMutationType()?.name,
    schema.getSubscriptionType()?.name,
  ]);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const typeTier = rootNames.has(type.name) ? undefined : readTier(schema, type);
    for (const field of Object.values(type.getFields())) {
      if (FEDERATION_FIELDS[type.name]?.includes(field.name)) continue;
      const spec = readTier(schema, field) ?? typeTier;
      if (!spec) missing.push(`${type.name}.${field.name}`);
      else {
        if (spec.level === 'INTERNAL' && spec.scopes.length === 0)
          missing.push(`${type.name}.${field.name} (INTERNAL without scopes)`);
        if (spec.stepUp !== undefined && !['AUTHENTICATED', 'VERIFIED'].includes(spec.level))
          missing.push(`${type.name}.${field.name} (stepUp needs AUTHENTICATED or VERIFIED)`);
        if (spec.capability !== undefined && !['AUTHENTICATED', 'VERIFIED'].includes(spec.level))
          missing.push(
            `${type.name}.${field.name} (capability needs AUTHENTICATED or VERIFIED: PUBLIC fields pass any key, INTERNAL none)`,
          );
        if (spec.capability !== undefined && !isApiKeyCapability(spec.capability))
          missing.push(
            `${type.name}.${field.name} (unknown capability "${spec.capability}"; known: ${API_KEY_CAPABILITIES.join(', ')})`,
          );
        tiers.set(`${type.name}.${field.name}`, spec);
      }
    }
  }
  if (missing.length > 0) throw new MissingTierError(missing);
  return tiers;
}

/** graphql-shield middleware generated from the SDL's tiers; fail-closed everywhere. */
export function buildPermissions(schema: GraphQLSchema) {
  const tiers = readTiers(schema);
  checkScopes(tiers);
  const tree: Record<string, Record<string, IRules>> = {};
  const mutationType = schema.getMutationType()?.name;
  for (const [path, spec] of tiers) {
    const [typeName, fieldName] = path.split('.');
    // An impersonation session reads, never writes: refused before any mutation's own tier.
    (tree[typeName] ??= {})[fieldName] =
      typeName === mutationType ? chain(notImpersonated, ruleForTier(spec)) : ruleForTier(spec);
  }
  for (const [typeName, fields] of Object.entries(FEDERATION_FIELDS)) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    // A subgraph without entities has no _entities field.
    for (const field of fields) if (type.getFields()[field]) (tree[typeName] ??= {})[field] = allow;
  }
  const permissions = shield(tree as IRules, {
    fallbackRule: deny,
    allowExternalErrors: true,
    fallbackError: new AppError('FORBIDDEN'),
  });
  return { permissions, tiers };
}
