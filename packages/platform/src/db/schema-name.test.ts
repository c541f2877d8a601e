import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { quotedSchema, schemaName } from './data-source';

const ROOT = join(__dirname, '../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'generated'].includes(entry.name) ? [] : sources(path);
    return /\.(ts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe("a service's schema name", () => {
  it('is the service, plus _<SCHEMA_SUFFIX> when set, quoted for raw SQL', () => {
    expect(schemaName('auth')).toBe('auth');
    expect(schemaName('orgs', 't1a2')).toBe('orgs_t1a2');
    expect(quotedSchema('credits', 't1a2')).toBe('"credits_t1a2"');
    expect(() => quotedSchema('ai', 'x"; DROP')).toThrow('Unsafe SQL identifier');
  });

  it('is spelled by data-source.ts alone (schemaOf, schemaName, quotedSchema)', () => {
    // The ways it used to be spelled by hand: the DataSource's option read directly, a quoted
    // `"${...schema...}"`, `<schema>_<suffix>` glued in SQL, a migration-only helper.
    const handSpelled =
      /options as \{ schema|"\$\{[^}]*schema[^}]*\}"|\$\{schema\}_\$\{suffix\}|migrationSchema/i;
    const offenders = ['packages', 'subgraphs', 'gateway', 'scripts', 'test', 'schema']
      .flatMap((folder) => sources(join(ROOT, folder)))
      .filter(
        (path) => !path.endsWith('db/data-source.ts') && !path.endsWith('schema-name.test.ts'),
      )
      .filter((path) => handSpelled.test(readFileSync(path, 'utf8')))
      .map((path) => relative(ROOT, path));
    expect(offenders).toEqual([]);
  });
});
