import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { graphql, parse, type GraphQLSchema } from 'graphql';
import {
  loadSubgraphTypeDefs,
  prebuiltPathFor,
  schemaFromPrebuilt,
  sourceDigest,
  type PrebuiltSubgraphSchema,
} from '@bastion/platform';
import {
  REPO_ROOT,
  SUBGRAPHS,
  prebuiltSubgraphSchema,
  prebuiltSubgraphSchemas,
} from '../src/compose';

// The expected schemas come from Apollo's own buildSubgraphSchema over the same SDL: the
// prebuilt path must build what it builds, resolvers and federation's fields included.
const schemaFileOf = (folder: string) => resolve(REPO_ROOT, folder, 'schema.graphql');

async function run(schema: GraphQLSchema, source: string, rootValue?: unknown) {
  return graphql({ schema, source, rootValue, contextValue: {} });
}

describe('prebuilt subgraph schemas (schema.prebuilt.json)', () => {
  it('the committed files are what the SDL expands to (run `npm run compose`)', () => {
    for (const { path, content } of prebuiltSubgraphSchemas())
      expect([path, readFileSync(path, 'utf8')]).toEqual([path, content]);
  });

  it.each(SUBGRAPHS.map((s) => [s.name, s.folder]))(
    '%s builds the same schema from its prebuilt file as buildSubgraphSchema from its SDL',
    async (_name, folder) => {
      const file = schemaFileOf(folder);
      const typeDefs = loadSubgraphTypeDefs(file);
      expect(typeDefs.kind).toBe('PrebuiltSubgraphSchema');
      const stock = buildSubgraphSchema({ typeDefs: parse(readFileSync(file, 'utf8')) });
      const prebuilt = schemaFromPrebuilt(typeDefs as PrebuiltSubgraphSchema, {});
      expect(printSchemaWithDirectives(prebuilt)).toBe(printSchemaWithDirectives(stock));
      const sdl = '{ _service { sdl } }';
      expect(await run(prebuilt, sdl)).toEqual(await run(stock, sdl));
    },
  );

  const ENTITY_SDL = `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
    type Query { thing(id: ID!): Thing }
    type Thing @key(fields: "id") { id: ID! name: String }
  `;
  const resolvers = {
    Query: { thing: (_: unknown, { id }: { id: string }) => ({ id, name: `thing ${id}` }) },
    Thing: {
      __resolveReference: ({ id }: { id: string }) => ({ id, name: `referenced ${id}` }),
    },
  };

  it('resolves entities, the service SDL and ordinary fields as the stock schema does', async () => {
    const prebuilt = prebuiltSubgraphSchema(ENTITY_SDL);
    expect(prebuilt?.source).toBe(sourceDigest(ENTITY_SDL));
    const fast = schemaFromPrebuilt(
      { kind: 'PrebuiltSubgraphSchema', sdl: prebuilt!.sdl },
      resolvers,
    );
    const stock = buildSubgraphSchema({ typeDefs: parse(ENTITY_SDL), resolvers });
    for (const query of [
      '{ thing(id: "1") { id name } }',
      '{ _entities(representations: [{ __typename: "Thing", id: "7" }]) { ... on Thing { id name } } }',
      '{ _service { sdl } }',
    ]) {
      const answer = await run(fast, query);
      expect(answer.errors).toBeUndefined();
      expect(answer).toEqual(await run(stock, query));
    }
    expect(
      (
        await run(
          fast,
          '{ _entities(representations: [{ __typename: "Thing", id: "7" }]) { ... on Thing { name } } }',
        )
      ).data,
    ).toEqual({
      _entities: [{ name: 'referenced 7' }],
    });
  });

  it('does not prebuild a schema with a type defined only by extensions (Apollo builds it without its AST node)', () => {
    const sdl = 'type Query { a: Int } extend type Foo @key(fields: "id") { id: ID! }';
    expect(prebuiltSubgraphSchema(sdl)).toBeNull();
    expect(buildSubgraphSchema({ typeDefs: parse(sdl) }).getType('Foo')?.astNode).toBeUndefined();
  });

  it('a stale, missing or broken prebuilt file falls back to the SDL', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prebuilt-'));
    try {
      const file = join(dir, 'schema.graphql');
      writeFileSync(file, ENTITY_SDL);
      const prebuiltFile = prebuiltPathFor(file);
      expect(prebuiltFile).toBe(join(dir, 'schema.prebuilt.json'));
      expect(loadSubgraphTypeDefs(file).kind).toBe('Document');
      writeFileSync(prebuiltFile, JSON.stringify(prebuiltSubgraphSchema(ENTITY_SDL)));
      expect(loadSubgraphTypeDefs(file).kind).toBe('PrebuiltSubgraphSchema');
      writeFileSync(file, `${ENTITY_SDL}\n# edited after the file was made\n`);
      expect(loadSubgraphTypeDefs(file).kind).toBe('Document');
      writeFileSync(prebuiltFile, '{ not json');
      expect(loadSubgraphTypeDefs(file).kind).toBe('Document');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
