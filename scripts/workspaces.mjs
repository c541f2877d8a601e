// The root package.json's workspaces as folders: a path, or `dir/*` for every folder of dir that
// holds a package.json (subgraphs/*: a new subgraph's folder is a workspace without editing the
// list). Any other glob is refused rather than guessed at.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function workspaceDirs(root) {
  const patterns = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces ?? [];
  return patterns.flatMap((pattern) => {
    if (!/[*?{[]/.test(pattern)) return [pattern];
    const parent = /^([^*?{[]+)\/\*$/.exec(pattern)?.[1];
    if (!parent)
      throw new Error(`package.json: workspace "${pattern}": only a path or "dir/*" is understood`);
    return readdirSync(join(root, parent), { withFileTypes: true })
      .filter(
        (entry) =>
          entry.isDirectory() && existsSync(join(root, parent, entry.name, 'package.json')),
      )
      .map((entry) => `${parent}/${entry.name}`)
      .sort();
  });
}
