import { Kind, type DocumentNode, type FieldNode } from 'graphql';
import type { FieldCost } from './cost-schema';

/** A slicing argument outside 1..maxPageSize: the subgraph would refuse it too (`pageSize`). */
export class PageSizeRefusal extends Error {
  constructor(
    readonly argument: string,
    readonly maxPageSize: number,
  ) {
    super(`Use a number from 1 to ${maxPageSize}.`);
  }
}

/** Integer values a slicing argument may take from variables: the request's, else the definitions' defaults. */
export function integerVariables(document: DocumentNode, variables: unknown): Map<string, number> {
  const values = new Map<string, number>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const fallback = variable.defaultValue;
      if (fallback?.kind !== Kind.INT) continue;
      // Fragments are measured once for every operation of the document: take the largest default.
      const name = variable.variable.name.value;
      values.set(name, Math.max(values.get(name) ?? 0, Number(fallback.value)));
    }
  }
  if (typeof variables === 'object' && variables !== null) {
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value === 'number') values.set(name, value);
    }
  }
  return values;
}

/**
 * The size a field's slicing arguments ask for (the largest, when several are given), from a
 * literal or a variable, else the argument's default in the SDL; undefined when none applies.
 * Out-of-range values are refused here, before planning, with the subgraphs' own bound.
 */
export function sliceSize(
  field: FieldNode,
  cost: FieldCost,
  variables: ReadonlyMap<string, number>,
  maxPageSize: number,
): number | undefined {
  let size: number | undefined;
  for (const name of cost.slicingArguments) {
    const value = field.arguments?.find((a) => a.name.value === name)?.value;
    let given: number | undefined;
    if (value?.kind === Kind.INT) given = Number(value.value);
    else if (value?.kind === Kind.VARIABLE) given = variables.get(value.name.value);
    given ??= cost.argumentDefaults.get(name);
    if (given === undefined) continue;
    if (!Number.isInteger(given) || given < 1 || given > maxPageSize)
      throw new PageSizeRefusal(name, maxPageSize);
    size = Math.max(size ?? 0, given);
  }
  return size;
}
