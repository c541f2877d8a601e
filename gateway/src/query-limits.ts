import {
  GraphQLError, Kind, type ASTVisitor, type FragmentDefinitionNode, type SelectionSetNode, type ValidationContext,
} from 'graphql';

/**
 * Refuses operations nested deeper than `maxDepth` or with more than `maxAliases` aliases, before
 * any subgraph is asked. Stock Apollo has neither limit; a cyclic schema (organization -> members
 * -> user -> memberships -> organization) would otherwise let one request fan out without bound.
 */
export function queryLimits(options: { maxDepth: number; maxAliases: number }) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    let aliases = 0;
    const depthOf = (selectionSet: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!selectionSet) return 0;
      let deepest = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.alias) aliases += 1;
          if (selection.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, 1 + depthOf(selection.selectionSet, seen));
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        } else {
          const name = selection.name.value;
          if (seen.has(name)) continue; // a cycle is reported by graphql's own rules
          deepest = Math.max(deepest, depthOf(fragments.get(name)?.selectionSet, new Set([...seen, name])));
        }
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        aliases = 0;
        const depth = depthOf(node.selectionSet, new Set());
        if (depth > options.maxDepth) {
          context.reportError(new GraphQLError(`The operation is nested ${depth} levels deep; the limit is ${options.maxDepth}.`, { nodes: [node] }));
        }
        if (aliases > options.maxAliases) {
          context.reportError(new GraphQLError(`The operation uses ${aliases} aliases; the limit is ${options.maxAliases}.`, { nodes: [node] }));
        }
      },
    };
  };
}
