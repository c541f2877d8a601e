import { z } from 'zod';
import { SCOPES } from '../auth/viewer';
import registryFile from '../../../../subgraphs/registry.json';

/**
 * The one list of subgraphs (`subgraphs/registry.json`): the gateway, `npm start`, `npm run migrate`,
 * composition, the build, jest and the tests read it. docs/development.md "Adding a subgraph".
 */
const identifier = z.string().regex(/^[A-Z][A-Z0-9_]*$/);
const entrySchema = z
  .object({
    /** The subgraph's name in the supergraph, its database schema and its logs. */
    name: z.string().regex(/^[a-z][a-z0-9]*$/),
    /** The port it listens on by default; `portVar` overrides it. */
    port: z.number().int().min(1).max(65535),
    portVar: identifier,
    /** Where the gateway reaches it; unset means http://127.0.0.1:<its port>/graphql. */
    urlVar: identifier,
    /** Its workspace folder, holding schema.graphql, src/index.ts (exports `subgraph`) and src/main.ts. */
    folder: z.string(),
    package: z.string(),
    /** Its own process's entry point, relative to the folder. */
    main: z.string(),
    /** The token it presents to the gateway's internal listener, and the scopes that token needs. */
    serviceToken: z.object({ var: identifier, scopes: z.array(z.enum(SCOPES)).min(1) }).optional(),
  })
  .strict()
  .superRefine((entry, ctx) => {
    // One convention, so tsconfig paths and jest's mapper can find a subgraph by its name.
    const upper = entry.name.toUpperCase();
    const expected = {
      portVar: `${upper}_PORT`,
      urlVar: `${upper}_URL`,
      folder: `subgraphs/${entry.name}`,
      package: `@bastion/${entry.name}`,
      ...(entry.serviceToken ? { serviceTokenVar: `${upper}_SERVICE_TOKEN` } : {}),
    };
    const actual: Record<string, unknown> = { ...entry, serviceTokenVar: entry.serviceToken?.var };
    for (const [key, value] of Object.entries(expected)) {
      if (actual[key] !== value)
        ctx.addIssue({ code: 'custom', message: `${entry.name}: ${key} must be ${value}` });
    }
  });

export type SubgraphEntry = z.infer<typeof entrySchema>;

export function parseSubgraphRegistry(value: unknown): readonly SubgraphEntry[] {
  const parsed = z.object({ subgraphs: z.array(entrySchema).min(1) }).safeParse(value);
  if (!parsed.success)
    throw new Error(
      `subgraphs/registry.json: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
    );
  const { subgraphs } = parsed.data;
  for (const key of ['name', 'port'] as const) {
    const seen = new Set<unknown>();
    for (const entry of subgraphs) {
      if (seen.has(entry[key]))
        throw new Error(`subgraphs/registry.json: two subgraphs share the ${key} ${entry[key]}`);
      seen.add(entry[key]);
    }
  }
  return Object.freeze(subgraphs.map((entry) => Object.freeze(entry)));
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
