import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  parse,
  type DocumentNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
} from 'graphql';
import { addResolversToSchema, type GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { entitiesResolver } from '@apollo/subgraph/dist/types';

/**
 * A subgraph's schema as `buildSubgraphSchema` expands it (federation's directives and types
 * added, the whole validated), printed at build time by `npm run compose` into
 * `schema.prebuilt.json` beside the subgraph's schema.graphql. Starting from it skips federation's
 * parse, expansion and validation of the subgraph (~0.1-0.25 s of CPU per subgraph at start).
 */
export interface PrebuiltSubgraphSchema {
  kind: 'PrebuiltSubgraphSchema';
  /** Federation's print of the expanded subgraph schema: also what `_service { sdl }` answers. */
  sdl: string;
}

/** What `schema.prebuilt.json` holds. */
export interface PrebuiltSchemaFile {
  $comment?: string;
  /** sha256 (hex) of the schema.graphql text it was made from: a stale file is not used. */
  source: string;
  sdl: string;
}

export function sourceDigest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Where the prebuilt schema of a subgraph's schema file lives (`schema.graphql` -> `schema.prebuilt.json`). */
export function prebuiltPathFor(schemaFile: string): string {
  return schemaFile.replace(/(\.graphql)?$/, '.prebuilt.json');
}

/**
 * A subgraph's type definitions from its schema file: the prebuilt expansion when the file beside
 * it was made from this very text, otherwise the parsed text (built by `buildSubgraphSchema`).
 */
export function loadSubgraphTypeDefs(schemaFile: string): DocumentNode | PrebuiltSubgraphSchema {
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- each service's own schema.graphql, a path fixed in its code
  const text = readFileSync(schemaFile, 'utf8');
  let prebuilt: PrebuiltSchemaFile | undefined;
  try {
    // eslint-disable-next-line security/detect-non-literal-fs-filename -- generated beside the schema file above
    prebuilt = JSON.parse(readFileSync(prebuiltPathFor(schemaFile), 'utf8')) as PrebuiltSchemaFile;
  } catch {
    // None (or unreadable): build from the text.
  }
  if (prebuilt && typeof prebuilt.sdl === 'string' && prebuilt.source === sourceDigest(text))
    return { kind: 'PrebuiltSubgraphSchema', sdl: prebuilt.sdl };
  return parse(text);
}

export function isPrebuilt(
  typeDefs: DocumentNode | PrebuiltSubgraphSchema,
): typeDefs is PrebuiltSubgraphSchema {
  return typeDefs.kind === 'PrebuiltSubgraphSchema';
}

/**
 * What `buildSubgraphSchema({ typeDefs, resolvers })` returns, from the prebuilt expansion: the
 * same graphql-js schema (built from federation's print, as `toGraphQLJSSchema` does), `_service`
 * answering that print, `_entities` and `_Entity` resolved as Apollo's, then the resolvers.
 * The print was validated when it was made, so the SDL is not validated again.
 */
export function schemaFromPrebuilt(
  prebuilt: PrebuiltSubgraphSchema,
  resolvers: GraphQLResolverMap<unknown>,
): GraphQLSchema {
  const { sdl } = prebuilt;
  const schema = buildASTSchema(parse(sdl, { noLocation: true }), { assumeValidSDL: true });
  const queryRootName = schema.getQueryType()?.name;
  if (!queryRootName) throw new Error('a prebuilt subgraph schema has a Query type');
  addResolversToSchema(schema, { [queryRootName]: { _service: () => ({ sdl }) } });
  if (schema.getType('_Entity')) {
    addResolversToSchema(schema, {
      [queryRootName]: {
        _entities: (
          _source: unknown,
          { representations }: { representations: unknown },
          context: unknown,
          info: GraphQLResolveInfo,
        ): unknown => entitiesResolver({ representations, context, info }),
      },
      _Entity: {
        __resolveType: (parent: { __typename?: string }) => parent.__typename,
      },
    });
  }
  addResolversToSchema(schema, resolvers);
  return schema;
}
