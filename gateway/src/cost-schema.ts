import {
  Kind,
  parse,
  type DirectiveNode,
  type FieldDefinitionNode,
  type TypeNode,
  type ValueNode,
} from 'graphql';
import type { FieldCost } from './field-cost';
import { countServedSchema, introspectionFieldCosts } from './introspection-cost';

export type { FieldCost };

export interface CostSchema {
  roots: { query: string; mutation: string; subscription: string };
  fields: ReadonlyMap<string, ReadonlyMap<string, FieldCost>>;
}

const COMPOSITE = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.UNION_TYPE_DEFINITION,
]);

function unwrap(type: TypeNode): { name: string; isList: boolean } {
  let isList = false;
  let node = type;
  while (node.kind !== Kind.NAMED_TYPE) {
    if (node.kind === Kind.LIST_TYPE) isList = true;
    node = node.type;
  }
  return { name: node.name.value, isList };
}

function directiveArgument(
  directives: readonly DirectiveNode[] | undefined,
  directive: string,
  argument: string,
): ValueNode | undefined {
  return directives
    ?.find((d) => d.name.value === directive)
    ?.arguments?.find((a) => a.name.value === argument)?.value;
}

const intValue = (value: ValueNode | undefined) =>
  value?.kind === Kind.INT ? Number(value.value) : undefined;
const stringList = (value: ValueNode | undefined) =>
  value?.kind === Kind.LIST
    ? value.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : []))
    : [];

/**
 * Builds the `Type.field -> cost` lookup once, at start, from the supergraph SDL: composition keeps
 * the subgraphs' `@cost` and `@listSize` (the IBM cost directives, as Apollo Router and Hive read
 * them) on the supergraph's fields. Only names are read, so no GraphQLSchema is built.
 */
export function buildCostSchema(supergraphSdl: string): CostSchema {
  const document = parse(supergraphSdl, { noLocation: true });
  const kinds = new Map<string, string>();
  const typeWeights = new Map<string, number>();
  const definitions: { type: string; fields: readonly FieldDefinitionNode[] }[] = [];
  const roots = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION) {
      for (const op of definition.operationTypes) roots[op.operation] = op.type.name.value;
      continue;
    }
    if (
      !('name' in definition) ||
      !definition.name ||
      definition.kind === Kind.DIRECTIVE_DEFINITION
    )
      continue;
    const name = definition.name.value;
    kinds.set(name, definition.kind.replace('_EXTENSION', '_DEFINITION'));
    const weight = intValue(
      directiveArgument(
        'directives' in definition ? definition.directives : undefined,
        'cost',
        'weight',
      ),
    );
    if (weight !== undefined) typeWeights.set(name, weight);
    if (
      (definition.kind === Kind.OBJECT_TYPE_DEFINITION ||
        definition.kind === Kind.INTERFACE_TYPE_DEFINITION) &&
      definition.fields
    ) {
      definitions.push({ type: name, fields: definition.fields });
    }
  }
  const fields = new Map<string, Map<string, FieldCost>>();
  for (const { type, fields: list } of definitions) {
    const byName = fields.get(type) ?? new Map<string, FieldCost>();
    fields.set(type, byName);
    for (const field of list) {
      const returned = unwrap(field.type);
      const argumentDefaults = new Map<string, number>();
      for (const argument of field.arguments ?? []) {
        const fallback = intValue(argument.defaultValue);
        if (fallback !== undefined) argumentDefaults.set(argument.name.value, fallback);
      }
      const isComposite = COMPOSITE.has(kinds.get(returned.name) ?? '');
      byName.set(field.name.value, {
        type: returned.name,
        weight:
          intValue(directiveArgument(field.directives, 'cost', 'weight')) ??
          typeWeights.get(returned.name) ??
          (isComposite ? 1 : 0),
        isList: returned.isList,
        assumedSize: intValue(directiveArgument(field.directives, 'listSize', 'assumedSize')),
        slicingArguments: stringList(
          directiveArgument(field.directives, 'listSize', 'slicingArguments'),
        ),
        sizedFields: stringList(directiveArgument(field.directives, 'listSize', 'sizedFields')),
        argumentDefaults,
      });
    }
  }
  // Introspection is costed too: its lists hold what this supergraph serves (docs/security.md "Operation limits").
  for (const [type, byName] of introspectionFieldCosts(countServedSchema(document)))
    fields.set(type, byName);
  const root = fields.get(roots.query) ?? new Map<string, FieldCost>();
  fields.set(roots.query, root);
  for (const [name, type] of [
    ['__schema', '__Schema'],
    ['__type', '__Type'],
  ] as const) {
    root.set(name, {
      type,
      weight: 1,
      isList: false,
      slicingArguments: [],
      sizedFields: [],
      argumentDefaults: new Map(),
    });
  }
  return { roots, fields };
}
