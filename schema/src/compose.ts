import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { Kind, parse, visit, type ConstDirectiveNode, type DocumentNode } from 'graphql';
import { SUBGRAPHS as REGISTRY, defaultSubgraphUrl, subgraphEntry } from '@bastion/platform';

export const REPO_ROOT = resolve(__dirname, '../..');

/** The subgraphs (subgraphs/registry.json) and the URLs written into the supergraph (the gateway's config overrides them). */
export const SUBGRAPHS = REGISTRY.map(({ name, port, folder }) => ({
  name,
  url: defaultSubgraphUrl(port),
  folder,
}));

export const SUPERGRAPH_PATHS = {
  public: resolve(REPO_ROOT, 'schema/supergraph.public.graphql'),
  internal: resolve(REPO_ROOT, 'schema/supergraph.internal.graphql'),
};

export function subgraphSdl(name: string): string {
  const { folder } = subgraphEntry(name);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- the folder of a subgraph in the registry
  return readFileSync(resolve(REPO_ROOT, folder, 'schema.graphql'), 'utf8');
}

const INACCESSIBLE: ConstDirectiveNode = {
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: 'inaccessible' },
  arguments: [],
};

function isInternalTier(directive: ConstDirectiveNode): boolean {
  if (directive.name.value !== 'tier') return false;
  const level = directive.arguments?.find((a) => a.name.value === 'level')?.value;
  return level?.kind === Kind.ENUM && level.value === 'INTERNAL';
}

/** The public view of a subgraph: every INTERNAL-tier field becomes @inaccessible. */
export function hideInternalFields(document: DocumentNode): DocumentNode {
  return visit(document, {
    FieldDefinition(node) {
      const directives = node.directives ?? [];
      if (
        !directives.some(isInternalTier) ||
        directives.some((d) => d.name.value === 'inaccessible')
      )
        return undefined;
      return { ...node, directives: [...directives, INACCESSIBLE] };
    },
  });
}

export class CompositionError extends Error {}

function compose(
  transform: (doc: DocumentNode) => DocumentNode,
  sdl: (name: string) => string,
): string {
  const result = composeServices(
    SUBGRAPHS.map(({ name, url }) => ({ name, url, typeDefs: transform(parse(sdl(name))) })),
  );
  if (result.errors) throw new CompositionError(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

/** Composes the public and the internal supergraph from the subgraphs' SDL. */
export function composeSupergraphs(sdl: (name: string) => string = subgraphSdl): {
  public: string;
  internal: string;
} {
  return { public: compose(hideInternalFields, sdl), internal: compose((d) => d, sdl) };
}
