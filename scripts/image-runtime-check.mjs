// Static checks of the replayed runtime stage (scripts/check-image.mjs).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function checkRuntime(image, repo) {
  const problems = [];
  // node itself as PID 1: npm or a shell in between swallows SIGTERM and the drain never runs.
  if (image.cmd?.[0] !== 'node')
    problems.push(`CMD must start node directly (exec form), not ${JSON.stringify(image.cmd)}`);
  if (!image.user || image.user === 'root' || image.user === '0')
    problems.push('the runtime stage must set a USER other than root');
  if (!image.healthcheck) problems.push('the runtime stage has no HEALTHCHECK');
  if (image.env.NODE_ENV !== 'production')
    problems.push('the runtime stage must set NODE_ENV=production');
  const dev = Object.keys(
    JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).devDependencies ?? {},
  );
  // Only packages the lockfile marks dev-only: @types/node, say, is also a production dependency's dependency.
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')).packages;
  for (const [path, entry] of Object.entries(lock)) {
    if (entry.dev && path.startsWith('node_modules/') && existsSync(join(image.root, path)))
      problems.push(`dev-only ${path} is installed in the runtime`);
  }
  // Production code must not require a dev dependency: the runtime would fail on first use.
  const devOnly = dev.filter((name) => lock[`node_modules/${name}`]?.dev);
  for (const file of distFiles(image.root)) {
    const code = readFileSync(file, 'utf8');
    for (const name of devOnly) {
      if (code.includes(`require("${name}")`) || code.includes(`require("${name}/`)) {
        problems.push(`${file.slice(image.root.length + 1)} requires dev dependency ${name}`);
      }
    }
  }
  if (problems.length > 0)
    throw new Error(`runtime stage:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  console.log(
    `runtime: CMD ${image.cmd.join(' ')}, USER ${image.user}, no dev dependency installed or required`,
  );
}

function* distFiles(root) {
  const walk = function* (dir) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        // Test helpers ship in dist but are only loaded by jest.
        if (entry.name !== 'node_modules' && entry.name !== 'testing') yield* walk(path);
      } else if (path.includes('/dist/') && entry.name.endsWith('.js')) yield path;
    }
  };
  yield* walk(root);
}
