import {
  Kind, type DirectiveNode, type DocumentNode, type FragmentDefinitionNode, type OperationDefinitionNode, type SelectionSetNode,
} from 'graphql';

export interface DocumentLimits {
  maxDepth: number;
  /** Depth allowed under `__schema` / `__type`: the standard introspection query is 15 deep. */
  maxIntrospectionDepth: number;
  maxAliases: number;
  /** Directives in one operation, counting a fragment once per spread. */
  maxDirectives: number;
  /** Directives on one field, fragment spread, inline fragment or definition. */
  maxFieldDirectives: number;
}

export type LimitReason = 'MAX_DEPTH' | 'MAX_ALIASES' | 'MAX_DIRECTIVES' | 'MAX_TOKENS' | 'MAX_CHARACTERS' | 'MAX_BATCH';

export interface LimitViolation {
  reason: LimitReason;
  message: string;
}

/** Selections visited by every check so far: tests read it to prove the work is linear in the document. */
export const limitWork = { nodesVisited: 0 };

interface Measure {
  depth: number;
  introspectionDepth: number;
  aliases: number;
  directives: number;
}

const ZERO: Measure = { depth: 0, introspectionDepth: 0, aliases: 0, directives: 0 };
// Counts that multiply through fragments saturate here, so 2^30 spreads compare as a number, never Infinity.
const CAP = 1_000_000_000;
const add = (a: number, b: number) => Math.min(a + b, CAP);

class TooManyDirectives extends Error {}

/**
 * Measures depth, aliases and directives of every operation in time linear in the document:
 * each fragment definition is measured once and a spread adds its memoised numbers, so a chain of
 * fragments that each spread the next twice costs one visit per selection, not 2^levels. Stock
 * Apollo has none of these limits; the schema's cycles (organization -> members -> user ->
 * memberships -> organization) would otherwise let one request fan out without bound.
 */
export function findLimitViolation(document: DocumentNode, limits: DocumentLimits): LimitViolation | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  // undefined: not measured yet; null: being measured (a cycle, which graphql's own rules report).
  const memo = new Map<string, Measure | null>();

  const ownDirectives = (directives: readonly DirectiveNode[] | undefined): number => {
    const count = directives?.length ?? 0;
    if (count > limits.maxFieldDirectives) throw new TooManyDirectives();
    return count;
  };

  const measureFragment = (name: string): Measure => {
    const known = memo.get(name);
    if (known !== undefined) return known ?? ZERO;
    const definition = fragments.get(name);
    if (!definition) return ZERO;
    memo.set(name, null);
    const inner = measureSelections(definition.selectionSet);
    const measure = { ...inner, directives: add(inner.directives, ownDirectives(definition.directives)) };
    memo.set(name, measure);
    return measure;
  };

  const measureSelections = (selectionSet: SelectionSetNode): Measure => {
    const total = { ...ZERO };
    for (const selection of selectionSet.selections) {
      limitWork.nodesVisited += 1;
      total.directives = add(total.directives, ownDirectives(selection.directives));
      let child: Measure;
      if (selection.kind === Kind.FIELD) {
        child = selection.selectionSet ? measureSelections(selection.selectionSet) : ZERO;
        if (selection.alias) total.aliases = add(total.aliases, 1);
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') {
          total.introspectionDepth = Math.max(total.introspectionDepth, 1 + child.depth);
          child = { ...child, depth: 0 };
        } else if (name !== '__typename') {
          child = { ...child, depth: 1 + child.depth };
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        child = measureSelections(selection.selectionSet);
      } else {
        child = measureFragment(selection.name.value);
      }
      total.depth = Math.max(total.depth, child.depth);
      total.introspectionDepth = Math.max(total.introspectionDepth, child.introspectionDepth);
      total.aliases = add(total.aliases, child.aliases);
      total.directives = add(total.directives, child.directives);
    }
    return total;
  };

  const measureOperation = (operation: OperationDefinitionNode): Measure => {
    let directives = ownDirectives(operation.directives);
    for (const variable of operation.variableDefinitions ?? []) directives = add(directives, ownDirectives(variable.directives));
    const inner = measureSelections(operation.selectionSet);
    return { ...inner, directives: add(inner.directives, directives) };
  };

  try {
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const measure = measureOperation(definition);
      const violation = compare(measure, limits);
      if (violation) return violation;
    }
  } catch (error) {
    if (!(error instanceof TooManyDirectives)) throw error;
    return { reason: 'MAX_DIRECTIVES', message: `A field carries more than ${limits.maxFieldDirectives} directives.` };
  }
  return null;
}

function compare(measure: Measure, limits: DocumentLimits): LimitViolation | null {
  if (measure.depth > limits.maxDepth) {
    return { reason: 'MAX_DEPTH', message: `The operation is nested ${measure.depth} levels deep; the limit is ${limits.maxDepth}.` };
  }
  if (measure.introspectionDepth > limits.maxIntrospectionDepth) {
    return { reason: 'MAX_DEPTH', message: `The introspection query is nested ${measure.introspectionDepth} levels deep; the limit is ${limits.maxIntrospectionDepth}.` };
  }
  if (measure.aliases > limits.maxAliases) {
    return { reason: 'MAX_ALIASES', message: `The operation uses ${measure.aliases} aliases; the limit is ${limits.maxAliases}.` };
  }
  if (measure.directives > limits.maxDirectives) {
    return { reason: 'MAX_DIRECTIVES', message: `The operation uses ${measure.directives} directives; the limit is ${limits.maxDirectives}.` };
  }
  return null;
}
