import {
  Kind,
  getNamedType,
  introspectionTypes,
  isCompositeType,
  isListType,
  isObjectType,
  isEnumType,
  getNullableType,
  specifiedDirectives,
  specifiedScalarTypes,
  type DefinitionNode,
  type DirectiveNode,
  type DocumentNode,
  type TypeNode,
} from 'graphql';
import type { FieldCost } from './field-cost';

/** Introspection objects one cost point pays for: they are read from the gateway's memory, no subgraph is called. */
export const INTROSPECTION_OBJECTS_PER_POINT = 10;

/** What the served schema holds, counted from the supergraph as the gateway serves it. */
export interface SchemaCounts {
  types: number;
  fields: number;
  args: number;
  inputFields: number;
  enumValues: number;
  interfaces: number;
  possibleTypes: number;
  directives: number;
  directiveArgs: number;
}

const FEDERATION_TYPE = /^(join|link)__/;

const inaccessible = (directives: readonly DirectiveNode[] | undefined) =>
  directives?.some((d) => d.name.value === 'inaccessible') ?? false;

function namedType(type: TypeNode): string {
  let node = type;
  while (node.kind !== Kind.NAMED_TYPE) node = node.type;
  return node.name.value;
}

/**
 * Counts the types, fields, arguments, input fields, enum values and directives the gateway
 * serves from a supergraph: its own definitions without federation's (`join__*`, `link__*`) and
 * `@inaccessible` ones, plus the introspection types and the built-in scalars and directives.
 */
export function countServedSchema(document: DocumentNode): SchemaCounts {
  const counts: SchemaCounts = {
    types: 0,
    fields: 0,
    args: 0,
    inputFields: 0,
    enumValues: 0,
    interfaces: 0,
    possibleTypes: 0,
    directives: specifiedDirectives.length,
    directiveArgs: specifiedDirectives.reduce((n, d) => n + d.args.length, 0),
  };
  const kept: DefinitionNode[] = document.definitions.filter(
    (d) =>
      'name' in d &&
      d.name !== undefined &&
      d.kind !== Kind.DIRECTIVE_DEFINITION &&
      !FEDERATION_TYPE.test(d.name.value) &&
      !inaccessible('directives' in d ? d.directives : undefined),
  );
  const declared = new Set<string>();
  // Introspection itself answers with String and Boolean, whatever the schema uses.
  const referenced = new Set<string>(['String', 'Boolean']);
  const implementers = new Map<string, number>();
  for (const definition of kept) {
    if (!('name' in definition) || !definition.name) continue;
    declared.add(definition.name.value);
    switch (definition.kind) {
      case Kind.OBJECT_TYPE_DEFINITION:
      case Kind.INTERFACE_TYPE_DEFINITION:
        for (const field of definition.fields ?? []) {
          if (inaccessible(field.directives)) continue;
          counts.fields += 1;
          referenced.add(namedType(field.type));
          for (const argument of field.arguments ?? []) {
            if (inaccessible(argument.directives)) continue;
            counts.args += 1;
            referenced.add(namedType(argument.type));
          }
        }
        for (const implemented of definition.interfaces ?? []) {
          counts.interfaces += 1;
          if (definition.kind === Kind.OBJECT_TYPE_DEFINITION)
            implementers.set(
              implemented.name.value,
              (implementers.get(implemented.name.value) ?? 0) + 1,
            );
        }
        break;
      case Kind.INPUT_OBJECT_TYPE_DEFINITION:
        for (const field of definition.fields ?? []) {
          if (inaccessible(field.directives)) continue;
          counts.inputFields += 1;
          referenced.add(namedType(field.type));
        }
        break;
      case Kind.ENUM_TYPE_DEFINITION:
        counts.enumValues += (definition.values ?? []).filter(
          (v) => !inaccessible(v.directives),
        ).length;
        break;
      case Kind.UNION_TYPE_DEFINITION:
        counts.possibleTypes += definition.types?.length ?? 0;
        break;
      default:
        break;
    }
  }
  for (const [name, count] of implementers) if (declared.has(name)) counts.possibleTypes += count;
  counts.types = declared.size + introspectionTypes.length;
  for (const scalar of specifiedScalarTypes)
    if (referenced.has(scalar.name) && !declared.has(scalar.name)) counts.types += 1;
  for (const type of introspectionTypes) {
    if (isObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        counts.fields += 1;
        counts.args += field.args.length;
      }
    } else if (isEnumType(type)) {
      counts.enumValues += type.getValues().length;
    }
  }
  return counts;
}

/**
 * `Type.field` costs of the introspection types, in objects: each object weighs 1 and each list
 * holds what the served schema holds (`types` all its types, `fields` its fields per type on
 * average, and so on). The cost walk turns a `__schema` / `__type` selection's objects into
 * points at INTROSPECTION_OBJECTS_PER_POINT.
 */
export function introspectionFieldCosts(counts: SchemaCounts): Map<string, Map<string, FieldCost>> {
  const perType = (n: number) => n / counts.types;
  const sizes: Record<string, number> = {
    '__Schema.types': counts.types,
    '__Schema.directives': counts.directives,
    '__Type.fields': perType(counts.fields),
    '__Type.interfaces': perType(counts.interfaces),
    '__Type.possibleTypes': perType(counts.possibleTypes),
    '__Type.enumValues': perType(counts.enumValues),
    '__Type.inputFields': perType(counts.inputFields),
    '__Field.args': counts.fields === 0 ? 0 : counts.args / counts.fields,
    '__Directive.args': counts.directives === 0 ? 0 : counts.directiveArgs / counts.directives,
  };
  const costs = new Map<string, Map<string, FieldCost>>();
  for (const type of introspectionTypes) {
    if (!isObjectType(type)) continue;
    const fields = new Map<string, FieldCost>();
    for (const field of Object.values(type.getFields())) {
      const returned = getNamedType(field.type);
      const isList = isListType(getNullableType(field.type));
      fields.set(field.name, {
        type: returned.name,
        weight: isCompositeType(returned) ? 1 : 0,
        isList,
        assumedSize: isList ? (sizes[`${type.name}.${field.name}`] ?? 0) : undefined,
        slicingArguments: [],
        sizedFields: [],
        argumentDefaults: new Map(),
      });
    }
    costs.set(type.name, fields);
  }
  return costs;
}
