import { readFileSync } from 'node:fs';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { SCOPES, readTiers } from '@bastion/platform';
import { SUBGRAPHS, subgraphSdl } from '../src/compose';
import {
  TIER_TABLE_PATH,
  allTierRows,
  parseTierTable,
  readTierTable,
  renderTierTable,
  tierRows,
} from '../src/tier-table';

/** Lines only in the committed table (-) and only in the SDL (+), in table order. */
function diff(committed: string, fresh: string): string {
  const before = committed.split('\n');
  const after = fresh.split('\n');
  return [
    ...before.filter((l) => !after.includes(l)).map((l) => `- ${l}`),
    ...after.filter((l) => !before.includes(l)).map((l) => `+ ${l}`),
  ].join('\n');
}

describe('schema/tiers.md, the reviewed table of every field tier', () => {
  it('is what the SDL says, field for field', () => {
    const committed = readFileSync(TIER_TABLE_PATH, 'utf8');
    const fresh = renderTierTable(allTierRows());
    if (committed !== fresh) {
      throw new Error(
        `schema/tiers.md differs from the subgraphs' SDL (- committed, + SDL):\n${diff(committed, fresh)}\n\n` +
          'If the SDL change is intended, review these tiers, run `npm run tiers:table` and commit schema/tiers.md with it.',
      );
    }
  });

  it('parses back to the rows it was rendered from', () => {
    expect(parseTierTable(renderTierTable(allTierRows()))).toEqual(allTierRows());
  });

  it('names only scopes the registry knows', () => {
    const unknown = readTierTable().flatMap((r) =>
      r.scopes
        .filter((s) => !(SCOPES as readonly string[]).includes(s))
        .map((s) => `${r.field}: ${s}`),
    );
    expect(unknown).toEqual([]);
  });

  it('sees a misspelt scope and a tier inherited from the type (the reader itself)', () => {
    const rows = tierRows(
      'x',
      `type T @tier(level: AUTHENTICATED, owner: "userId", scopes: ["b", "a"]) { id: ID! @tier(level: PUBLIC) n: Int }
      type Query { t: T @tier(level: INTERNAL, scopes: ["user:read"]) u: Int }
      type Mutation { d: Int @tier(level: VERIFIED, stepUp: 600, capability: "orgs:write") }`,
    );
    expect(rows).toEqual([
      {
        subgraph: 'x',
        field: 'T.id',
        tier: 'PUBLIC',
        scopes: [],
        owner: '',
        stepUp: '',
        capability: '',
        from: 'field',
      },
      {
        subgraph: 'x',
        field: 'T.n',
        tier: 'AUTHENTICATED',
        scopes: ['a', 'b'],
        owner: 'userId',
        stepUp: '',
        capability: '',
        from: 'type',
      },
      {
        subgraph: 'x',
        field: 'Query.t',
        tier: 'INTERNAL',
        scopes: ['user:read'],
        owner: '',
        stepUp: '',
        capability: '',
        from: 'field',
      },
      {
        subgraph: 'x',
        field: 'Query.u',
        tier: 'MISSING',
        scopes: [],
        owner: '',
        stepUp: '',
        capability: '',
        from: 'type',
      },
      {
        subgraph: 'x',
        field: 'Mutation.d',
        tier: 'VERIFIED',
        scopes: [],
        owner: '',
        stepUp: '600',
        capability: 'orgs:write',
        from: 'field',
      },
    ]);
  });

  // The platform's readTiers (what buildPermissions enforces) must agree with the table row for row.
  it.each(SUBGRAPHS.map((s) => s.name))(
    '%s: the tiers the platform enforces are the table rows',
    (name) => {
      const enforced = readTiers(buildSubgraphSchema({ typeDefs: parse(subgraphSdl(name)) }));
      const fromPlatform = [...enforced].map(([field, spec]) => ({
        field,
        tier: spec.level,
        scopes: [...spec.scopes].sort(),
        owner: spec.owner ?? '',
        stepUp: spec.stepUp === undefined ? '' : String(spec.stepUp),
        capability: spec.capability ?? '',
      }));
      const fromTable = readTierTable()
        .filter((r) => r.subgraph === name)
        .map(({ field, tier, scopes, owner, stepUp, capability }) => ({
          field,
          tier,
          scopes,
          owner,
          stepUp,
          capability,
        }));
      const byField = (a: { field: string }, b: { field: string }) => (a.field < b.field ? -1 : 1);
      expect(fromPlatform.sort(byField)).toEqual(fromTable.sort(byField));
    },
  );
});
