/** What the cost walk needs to know about one field, read from `@cost` / `@listSize` in the supergraph. */
export interface FieldCost {
  /** The named type the field returns (lists and non-null unwrapped). */
  type: string;
  /** `@cost(weight:)` on the field, else on its type, else 1 for an object and 0 for a scalar. */
  weight: number;
  isList: boolean;
  /** `@listSize(assumedSize:)`: the size when no slicing argument says otherwise. */
  assumedSize?: number;
  /** `@listSize(slicingArguments:)`: arguments whose value is the list's size (`first`). */
  slicingArguments: readonly string[];
  /** `@listSize(sizedFields:)`: child lists the size applies to (a connection's `edges`). */
  sizedFields: readonly string[];
  /** Integer defaults of the field's arguments (`first: Int = 20`). */
  argumentDefaults: ReadonlyMap<string, number>;
}
