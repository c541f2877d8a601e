import { SCOPES, type Scope } from '../auth/viewer';
import {
  parseSubgraphRegistry as parseRegistryFile,
  type DerivedSubgraph,
} from '../../../../subgraphs/registry.cjs';
import registryFile from '../../../../subgraphs/registry.json';

/**
 * The one list of subgraphs (`subgraphs/registry.json`, derived by `subgraphs/registry.cjs`, which
 * the scripts read too): the gateway, `npm start`, `npm run migrate`, composition, the build, jest
 * and the tests read it. docs/development.md "Adding a subgraph".
 */
export type SubgraphEntry = Omit<DerivedSubgraph, 'serviceToken'> & {
  /** The token it presents to the gateway's internal listener, and the scopes that token needs. */
  serviceToken?: { var: string; scopes: Scope[] };
};

/** The registry's entries with their derived fields; also refuses a scope the platform does not know. */
export function parseSubgraphRegistry(value: unknown): readonly SubgraphEntry[] {
  const subgraphs = parseRegistryFile(value);
  for (const entry of subgraphs)
    for (const scope of entry.serviceToken?.scopes ?? [])
      if (!(SCOPES as readonly string[]).includes(scope))
        throw new Error(`subgraphs/registry.json: ${entry.name}: unknown scope ${scope}`);
  return subgraphs as readonly SubgraphEntry[];
}

/** Every subgraph, in the order the all-in-one process starts them. */
export const SUBGRAPHS: readonly SubgraphEntry[] = parseSubgraphRegistry(registryFile);

export const SUBGRAPH_NAMES: readonly string[] = SUBGRAPHS.map((s) => s.name);

export function subgraphEntry(name: string): SubgraphEntry {
  const entry = SUBGRAPHS.find((s) => s.name === name);
  if (!entry) throw new Error(`no subgraph "${name}" in subgraphs/registry.json`);
  return entry;
}

/** Where a subgraph listens when the gateway is told nothing else: its port on the loopback address. */
export function defaultSubgraphUrl(port: number | string): string {
  return `http://127.0.0.1:${port}/graphql`;
}

/**
 * The gateway's address of every subgraph from settings: `<NAME>_URL`, else the loopback address on
 * `<NAME>_PORT`, else on the registry's port. So services started one by one with other ports
 * are found without any URL.
 */
export function subgraphUrlsFrom(
  settings: Readonly<Record<string, unknown>>,
  subgraphs: readonly SubgraphEntry[] = SUBGRAPHS,
): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const entry of subgraphs) {
    const url = settings[entry.urlVar];
    const port = settings[entry.portVar];
    urls[entry.name] =
      typeof url === 'string' && url !== ''
        ? url
        : defaultSubgraphUrl(
            typeof port === 'number' || typeof port === 'string' ? port : entry.port,
          );
  }
  return urls;
}
