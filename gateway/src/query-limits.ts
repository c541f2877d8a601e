import {
  Kind,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PageSizeRefusal, integerVariables, sliceSize } from './cost-arguments';
import type { CostSchema } from './cost-schema';
import { INTROSPECTION_OBJECTS_PER_POINT } from './introspection-cost';

/** The estimated cost of an operation, from the supergraph's `@cost` / `@listSize` (docs/security.md "Operation limits"). */
export interface CostLimits {
  schema: CostSchema;
  maxCost: number;
  /** The size of a list that neither `@listSize` nor a slicing argument sizes. */
  defaultListSize: number;
  /** The largest `first` a paginated field accepts; the subgraphs enforce the same bound. */
  maxPageSize: number;
}

export interface DocumentLimits {
  maxDepth: number;
  /** Depth allowed under `__schema` / `__type`: the standard introspection query is 15 deep. */
  maxIntrospectionDepth: number;
  maxAliases: number;
  /** Directives in one operation, counting a fragment once per spread. */
  maxDirectives: number;
  /** Directives on one field, fragment spread, inline fragment or definition. */
  maxFieldDirectives: number;
  /** Absent: no cost is estimated (unit tests of the other limits). */
  cost?: CostLimits;
}

export type LimitReason =
  | 'MAX_DEPTH'
  | 'MAX_ALIASES'
  | 'MAX_DIRECTIVES'
  | 'MAX_TOKENS'
  | 'MAX_CHARACTERS'
  | 'MAX_BATCH'
  | 'MAX_COST'
  | 'MAX_PAGE_SIZE';

export interface LimitViolation {
  reason: LimitReason;
  message: string;
  /** More for the client, e.g. `cost` and `maxCost`. */
  extensions?: Record<string, unknown>;
}

/** The request's view of one document: the operation it asks for and its variables. */
export interface DocumentRequest {
  operationName?: string | null;
  variables?: unknown;
}

/** Selections visited by every check so far: tests read it to prove the work is linear in the document. */
export const limitWork = { nodesVisited: 0 };

interface Measure {
  depth: number;
  introspectionDepth: number;
  aliases: number;
  directives: number;
  /** Cost of the selections, except lists whose size their parent may still set (below). */
  cost: number;
  /**
   * Cost of one item of each child list that nothing sized yet, by field name: a connection's
   * `@listSize(sizedFields: ["edges"])` multiplies its `edges` by `first`, any other parent by the
   * default list size. Kept apart so a fragment's measure stays independent of where it is spread;
   * its entries are bounded by the distinct field names written at one level.
   */
  perItem: ReadonlyMap<string, number> | null;
}

const ZERO: Measure = {
  depth: 0,
  introspectionDepth: 0,
  aliases: 0,
  directives: 0,
  cost: 0,
  perItem: null,
};
// Counts that multiply through fragments saturate here, so 2^30 spreads compare as a number, never Infinity.
const CAP = 1_000_000_000;
const add = (a: number, b: number) => Math.min(a + b, CAP);
const mul = (a: number, b: number) => Math.min(a * b, CAP);

function mergePerItem(
  into: Map<string, number> | null,
  from: ReadonlyMap<string, number> | null,
): Map<string, number> | null {
  if (!from) return into;
  const merged = into ?? new Map<string, number>();
  for (const [name, cost] of from) merged.set(name, add(merged.get(name) ?? 0, cost));
  return merged;
}

class TooManyDirectives extends Error {}

const INTROSPECTION = new Set(['__schema', '__type']);

/**
 * Points for a `__schema` / `__type` selection of `objects` introspection objects. The lists' sizes
 * are averages, so the count is rounded to a millionth before it is rounded up to whole points.
 */
export function introspectionPoints(objects: number): number {
  return Math.ceil(Math.round(objects * 1e6) / 1e6 / INTROSPECTION_OBJECTS_PER_POINT);
}

/**
 * Measures depth, aliases and directives of every operation in time linear in the document:
 * each fragment definition is measured once and a spread adds its memoised numbers, so a chain of
 * fragments that each spread the next twice costs one visit per selection, not 2^levels. Stock
 * Apollo has none of these limits; the schema's cycles (organization -> members -> user ->
 * memberships -> organization) would otherwise let one request fan out without bound.
 */
export function findLimitViolation(
  document: DocumentNode,
  limits: DocumentLimits,
  request: DocumentRequest = {},
): LimitViolation | null {
  return measureDocument(document, limits, request).violation;
}

/**
 * The same single walk, also returning the estimated cost of the operation the request runs (by
 * `operationName`; the most expensive one when the name does not pick one), to charge to a budget.
 */
export function measureDocument(
  document: DocumentNode,
  limits: DocumentLimits,
  request: DocumentRequest = {},
): { violation: LimitViolation | null; cost: number } {
  const costing = limits.cost;
  const variables = costing
    ? integerVariables(document, request.variables)
    : new Map<string, number>();
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  // undefined: not measured yet; null: being measured (a cycle, which graphql's own rules report).
  const memo = new Map<string, Measure | null>();

  const ownDirectives = (directives: readonly DirectiveNode[] | undefined): number => {
    const count = directives?.length ?? 0;
    if (count > limits.maxFieldDirectives) throw new TooManyDirectives();
    return count;
  };

  /** Resolves the lists a parent leaves unsized: `sized` names the ones its slicing argument sizes. */
  const settle = (
    measure: Measure,
    sized?: { fields: readonly string[]; size: number },
  ): number => {
    let cost = measure.cost;
    for (const [name, perItem] of measure.perItem ?? []) {
      const size = sized?.fields.includes(name) ? sized.size : (costing?.defaultListSize ?? 0);
      cost = add(cost, mul(perItem, size));
    }
    return cost;
  };

  /** Adds one field's cost to `total`: its weight plus its children's, times its list size. */
  const costField = (
    total: Measure & { perItem: Map<string, number> | null },
    field: FieldNode,
    parentType: string | null,
    child: Measure,
  ) => {
    if (!costing) return;
    const name = field.name.value;
    if (name === '__typename') return;
    const info = parentType ? costing.schema.fields.get(parentType)?.get(name) : undefined;
    if (INTROSPECTION.has(name)) {
      // Counted in introspection objects below it (sizes from the served schema), then in points.
      const objects = add(info?.weight ?? 1, settle(child));
      total.cost = add(total.cost, introspectionPoints(objects));
      return;
    }
    // Unknown to the lookup (validation will refuse it): an object costs 1, a scalar 0.
    const weight = info?.weight ?? (field.selectionSet ? 1 : 0);
    const sliced = info ? sliceSize(field, info, variables, costing.maxPageSize) : undefined;
    if (info && info.sizedFields.length > 0) {
      const size = sliced ?? info.assumedSize ?? costing.defaultListSize;
      total.cost = add(total.cost, add(weight, settle(child, { fields: info.sizedFields, size })));
      return;
    }
    const itemCost = add(weight, settle(child));
    const size = info?.isList ? (sliced ?? info.assumedSize) : 1;
    if (size !== undefined) {
      total.cost = add(total.cost, mul(itemCost, size));
      return;
    }
    total.perItem = mergePerItem(total.perItem, new Map([[name, itemCost]]));
  };

  const measureFragment = (name: string): Measure => {
    const known = memo.get(name);
    if (known !== undefined) return known ?? ZERO;
    const definition = fragments.get(name);
    if (!definition) return ZERO;
    memo.set(name, null);
    const inner = measureSelections(definition.selectionSet, definition.typeCondition.name.value);
    const measure = {
      ...inner,
      directives: add(inner.directives, ownDirectives(definition.directives)),
    };
    memo.set(name, measure);
    return measure;
  };

  const measureSelections = (
    selectionSet: SelectionSetNode,
    parentType: string | null,
  ): Measure => {
    const total: Measure & { perItem: Map<string, number> | null } = { ...ZERO, perItem: null };
    for (const selection of selectionSet.selections) {
      limitWork.nodesVisited += 1;
      total.directives = add(total.directives, ownDirectives(selection.directives));
      let child: Measure;
      if (selection.kind === Kind.FIELD) {
        const fieldType =
          (parentType && costing?.schema.fields.get(parentType)?.get(selection.name.value)?.type) ??
          null;
        child = selection.selectionSet
          ? measureSelections(selection.selectionSet, fieldType)
          : ZERO;
        costField(total, selection, parentType, child);
        // The field's cost now holds its children's; what passes up below is the other measures.
        child = { ...child, cost: 0, perItem: null };
        if (selection.alias) total.aliases = add(total.aliases, 1);
        const name = selection.name.value;
        if (name === '__schema' || name === '__type') {
          total.introspectionDepth = Math.max(total.introspectionDepth, 1 + child.depth);
          child = { ...child, depth: 0 };
        } else if (name !== '__typename') {
          child = { ...child, depth: 1 + child.depth };
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        child = measureSelections(
          selection.selectionSet,
          selection.typeCondition?.name.value ?? parentType,
        );
      } else {
        child = measureFragment(selection.name.value);
      }
      total.depth = Math.max(total.depth, child.depth);
      total.introspectionDepth = Math.max(total.introspectionDepth, child.introspectionDepth);
      total.aliases = add(total.aliases, child.aliases);
      total.directives = add(total.directives, child.directives);
      total.cost = add(total.cost, child.cost);
      total.perItem = mergePerItem(total.perItem, child.perItem);
    }
    return total;
  };

  const measureOperation = (operation: OperationDefinitionNode): Measure => {
    let directives = ownDirectives(operation.directives);
    for (const variable of operation.variableDefinitions ?? [])
      directives = add(directives, ownDirectives(variable.directives));
    const root = costing?.schema.roots[operation.operation] ?? null;
    const inner = measureSelections(operation.selectionSet, root);
    return {
      ...inner,
      directives: add(inner.directives, directives),
      cost: settle(inner),
      perItem: null,
    };
  };

  let cost = 0;
  try {
    const operations = document.definitions.filter(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    );
    const chosen = operations.find(
      (o) => request.operationName && o.name?.value === request.operationName,
    );
    for (const operation of operations) {
      const measure = measureOperation(operation);
      const violation = compare(measure, limits);
      if (violation) return { violation, cost: measure.cost };
      if (!chosen || chosen === operation) cost = Math.max(cost, measure.cost);
    }
  } catch (error) {
    if (error instanceof PageSizeRefusal) {
      const violation: LimitViolation = {
        reason: 'MAX_PAGE_SIZE',
        message: error.message,
        extensions: { fieldErrors: { [error.argument]: error.message } },
      };
      return { violation, cost };
    }
    if (!(error instanceof TooManyDirectives)) throw error;
    return {
      violation: {
        reason: 'MAX_DIRECTIVES',
        message: `A field carries more than ${limits.maxFieldDirectives} directives.`,
      },
      cost,
    };
  }
  return { violation: null, cost };
}

function compare(measure: Measure, limits: DocumentLimits): LimitViolation | null {
  if (measure.depth > limits.maxDepth) {
    return {
      reason: 'MAX_DEPTH',
      message: `The operation is nested ${measure.depth} levels deep; the limit is ${limits.maxDepth}.`,
    };
  }
  if (measure.introspectionDepth > limits.maxIntrospectionDepth) {
    return {
      reason: 'MAX_DEPTH',
      message: `The introspection query is nested ${measure.introspectionDepth} levels deep; the limit is ${limits.maxIntrospectionDepth}.`,
    };
  }
  if (measure.aliases > limits.maxAliases) {
    return {
      reason: 'MAX_ALIASES',
      message: `The operation uses ${measure.aliases} aliases; the limit is ${limits.maxAliases}.`,
    };
  }
  if (measure.directives > limits.maxDirectives) {
    return {
      reason: 'MAX_DIRECTIVES',
      message: `The operation uses ${measure.directives} directives; the limit is ${limits.maxDirectives}.`,
    };
  }
  if (limits.cost && measure.cost > limits.cost.maxCost) {
    return {
      reason: 'MAX_COST',
      message: `The operation's estimated cost is ${measure.cost}; the limit is ${limits.cost.maxCost}.`,
      extensions: { cost: measure.cost, maxCost: limits.cost.maxCost },
    };
  }
  return null;
}
