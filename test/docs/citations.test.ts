import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, normalize } from 'node:path';

/**
 * Every citation in the repository points at something that exists: a file named in a comment
 * (`CONTRACT.md`, `bench/REPORT.md`), a section cited as `README "Title"` or
 * `docs/<page>.md "Title"`, and every relative Markdown link with its `#anchor`. The repository must
 * stand on its own, so a comment citing a design document that is not in it fails here.
 */

const ROOT = join(__dirname, '../..');

/** The files whose citations are checked: source, SQL, SDL, compose, scripts and Markdown. */
const TEXT =
  /\.(ts|mts|cts|js|mjs|cjs|json|graphql|sql|ya?ml|md|sh)$|(^|\/)(Dockerfile|\.env\.example|run)$/;

/** This file holds broken citations on purpose, as test cases. */
const SKIP = new Set(['test/docs/citations.test.ts']);

type Source = { path: string; text: string };
type Repository = { sources: Source[]; exists(path: string): boolean };

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The headings of a Markdown text, outside fenced code blocks. */
export function headings(markdown: string): string[] {
  const found: string[] = [];
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const match = !fenced && /^#{1,6} (.+?)\s*#*$/.exec(line);
    if (match) found.push(match[1]);
  }
  return found;
}

const plain = (title: string) => title.replace(/`/g, '').trim().toLowerCase();

/** Every broken citation, as `path: what is wrong`. */
export function brokenCitations(repo: Repository): string[] {
  const byPath = new Map(repo.sources.map((s) => [s.path, s.text]));
  const names = new Set(repo.sources.map((s) => basename(s.path)));
  const headingsOf = (path: string) => {
    const text =
      byPath.get(path) ?? (repo.exists(path) ? readFileSync(join(ROOT, path), 'utf8') : '');
    return headings(text);
  };
  const problems: string[] = [];
  for (const { path, text } of repo.sources) {
    if (text.includes('/work/shared'))
      problems.push(`${path}: cites /work/shared, outside the repository`);

    // `README "Title"`, `docs/api.md "Title"`, possibly across a comment's line break.
    const section =
      /\b(README(?:\.md)?|docs\/[\w-]+\.md)\s*,?\s+(?:(?:\/\/|\*|#|--)\s*)?\\?"([^"\\\n]+)\\?"/g;
    for (const m of text.matchAll(section)) {
      const file = m[1].startsWith('README') ? 'README.md' : m[1];
      if (!repo.exists(file)) {
        problems.push(`${path}: cites ${file}, which does not exist`);
        continue;
      }
      const wanted = plain(m[2]);
      if (!headingsOf(file).some((h) => plain(h) === wanted)) {
        problems.push(`${path}: cites ${file} "${m[2]}", which has no such section`);
      }
    }

    // Files named in the text: a bare upper-case name (CONTRACT.md) or a path (bench/REPORT.md).
    for (const m of text.matchAll(/(?<![\w./-])(\/?(?:[\w.-]+\/)*[\w.-]+\.md)\b(?![\w-])/g)) {
      const cited = m[1].replace(/^\.?\//, '');
      if (cited.includes('node_modules')) continue;
      if (!cited.includes('/')) {
        if (/^[A-Z][A-Z0-9_-]*\.md$/.test(cited) && !names.has(cited)) {
          problems.push(`${path}: cites ${cited}, which is not in the repository`);
        }
        continue;
      }
      const fromRoot = normalize(cited);
      const fromFile = normalize(join(dirname(path), cited));
      if (!repo.exists(fromRoot) && !repo.exists(fromFile)) {
        problems.push(`${path}: cites ${m[1]}, which is not in the repository`);
      }
    }

    // Relative Markdown links and their anchors.
    if (!path.endsWith('.md')) continue;
    const outsideCode = text.replace(/```[\s\S]*?```/g, '');
    for (const m of outsideCode.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/i.test(target) || target.startsWith('<')) continue;
      const [file, anchor] = target.split('#');
      const resolved = file ? normalize(join(dirname(path), file)) : path;
      if (!repo.exists(resolved)) {
        problems.push(`${path}: links ${target}, whose file does not exist`);
        continue;
      }
      if (
        anchor &&
        resolved.endsWith('.md') &&
        !headingsOf(resolved).some((h) => slug(h) === anchor)
      ) {
        problems.push(`${path}: links ${target}, whose section does not exist`);
      }
    }
  }
  return problems;
}

function repository(): Repository {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter((p) => p && TEXT.test(p) && !SKIP.has(p) && !p.endsWith('package-lock.json'))
    .filter((p) => existsSync(join(ROOT, p)));
  return {
    sources: listed.map((path) => ({ path, text: readFileSync(join(ROOT, path), 'utf8') })),
    exists: (path) => existsSync(join(ROOT, path)),
  };
}

describe('citations', () => {
  it('every cited file, README or docs/ section and Markdown anchor exists', () => {
    expect(brokenCitations(repository())).toEqual([]);
  });

  it('finds each kind of broken citation (hand-written cases)', () => {
    const docs: Record<string, string> = {
      'README.md':
        '# Bastion\n\n## Run it\n\nSee [api](docs/api.md#tiers) and [gone](docs/api.md#nowhere).\n',
      'docs/api.md': '# API\n\n## Tiers\n\n```\n# not a heading\n```\n\n## Error codes: `CODE`\n',
    };
    const sources: Source[] = [
      ...Object.entries(docs).map(([path, text]) => ({ path, text })),
      { path: 'src/a.ts', text: '// as CONTRACT.md says (README "Run it")\n' },
      {
        path: 'src/b.ts',
        text: '/** docs/api.md "Tiers", docs/api.md\n * "Error codes: CODE" */\n',
      },
      {
        path: 'src/c.ts',
        text: '// README "Not here"; docs/nope.md "Tiers"; docs/api.md "not a heading"\n',
      },
      { path: 'src/d.sql', text: '-- see bench/MISSING.md and (README.md, "Run it")\n' },
      {
        path: 'src/e.json',
        text: '{"$comment": "docs/api.md \\"Tiers\\" and README \\"Gone\\""}\n',
      },
      { path: 'src/f.ts', text: '// see /work/shared/DESIGN.md\n' },
    ];
    const existing = new Set(Object.keys(docs).concat(sources.map((s) => s.path)));
    const found = brokenCitations({ sources, exists: (p) => existing.has(p) });
    expect(found.sort()).toEqual(
      [
        'README.md: links docs/api.md#nowhere, whose section does not exist',
        'src/a.ts: cites CONTRACT.md, which is not in the repository',
        'src/c.ts: cites README.md "Not here", which has no such section',
        'src/c.ts: cites docs/nope.md, which does not exist',
        'src/c.ts: cites docs/nope.md, which is not in the repository',
        'src/c.ts: cites docs/api.md "not a heading", which has no such section',
        'src/d.sql: cites bench/MISSING.md, which is not in the repository',
        'src/e.json: cites README.md "Gone", which has no such section',
        'src/f.ts: cites /work/shared, outside the repository',
        'src/f.ts: cites /work/shared/DESIGN.md, which is not in the repository',
      ].sort(),
    );
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Docker Compose: secrets and database roles')).toBe(
      'docker-compose-secrets-and-database-roles',
    );
    expect(slug('Forwarded claims: one key per subgraph')).toBe(
      'forwarded-claims-one-key-per-subgraph',
    );
    expect(slug('Running: one process or many')).toBe('running-one-process-or-many');
    expect(slug('Error codes: `CODE`')).toBe('error-codes-code');
  });
});
