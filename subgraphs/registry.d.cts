export interface SubgraphRegistryEntry {
  name: string;
  port: number;
  serviceToken?: { scopes: string[] };
}

export interface DerivedSubgraph {
  /** The subgraph's name in the supergraph, its database schema and its logs. */
  name: string;
  /** The port it listens on by default; `portVar` overrides it. */
  port: number;
  /** `<NAME>_PORT`. */
  portVar: string;
  /** `<NAME>_URL`: where the gateway reaches it; unset means http://127.0.0.1:<its port>/graphql. */
  urlVar: string;
  /** `subgraphs/<name>`: holds schema.graphql, src/index.ts (exports `subgraph`) and src/main.ts. */
  folder: string;
  /** `@bastion/<name>`. */
  package: string;
  /** Its own process's entry point, relative to the folder: `dist/main.js`. */
  main: string;
  /** The token it presents to the gateway's internal listener (`<NAME>_SERVICE_TOKEN`), and its scopes. */
  serviceToken?: { var: string; scopes: string[] };
}

export function deriveSubgraph(entry: SubgraphRegistryEntry): DerivedSubgraph;
export function parseSubgraphRegistry(value: unknown): readonly DerivedSubgraph[];
export function readSubgraphRegistry(root?: string): readonly DerivedSubgraph[];
