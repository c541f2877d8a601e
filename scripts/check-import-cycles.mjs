// Finds import cycles among the TypeScript files of tsconfig.json (sources, tests and tools), run
// by CI and by test/structure/import-cycles.test.ts:
//   node scripts/check-import-cycles.mjs [root]   (root: a folder holding a tsconfig.json)
// An edge is every static `import ... from`, `export ... from` and `import x = require()`,
// type-only ones included: a type-only circle still ties two modules together and breaks as soon
// as one side gains a value import. Lazy `await import()` and `require()` calls are not edges.
// Specifiers resolve as tsc resolves them (tsconfig paths included); only files of the program
// count, so dependencies in node_modules never take part. Each strongly connected component of
// the graph is one finding, shown as the shortest circle through its first file.
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(process.argv[2] ?? join(import.meta.dirname, '..'));
const configPath = join(root, 'tsconfig.json');
const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
const { fileNames, options } = ts.parseJsonConfigFileContent(config, ts.sys, root);
const files = new Set(fileNames.map((file) => resolve(file)));
const name = (file) => relative(root, file);

/** The module specifiers a file imports or re-exports at load time, type-only ones included. */
function specifiers(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found = [];
  for (const statement of source.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    )
      found.push(statement.moduleSpecifier.text);
    else if (
      ts.isImportEqualsDeclaration(statement) &&
      ts.isExternalModuleReference(statement.moduleReference) &&
      ts.isStringLiteral(statement.moduleReference.expression)
    )
      found.push(statement.moduleReference.expression.text);
  }
  return found;
}

const host = ts.createCompilerHost(options);
const cache = ts.createModuleResolutionCache(root, (f) => f, options);
const edges = new Map();
let imports = 0;
for (const file of files) {
  const targets = new Set();
  for (const specifier of specifiers(file)) {
    const resolved = ts.resolveModuleName(specifier, file, options, host, cache).resolvedModule;
    const target = resolved && resolve(resolved.resolvedFileName);
    if (target && files.has(target)) targets.add(target);
  }
  imports += targets.size;
  edges.set(file, [...targets]);
}

// Tarjan's strongly connected components, iteratively (deep import chains would overflow a
// recursive walk).
const index = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
const components = [];
let counter = 0;
for (const start of files) {
  if (index.has(start)) continue;
  const work = [[start, 0]];
  index.set(start, counter);
  low.set(start, counter++);
  stack.push(start);
  onStack.add(start);
  while (work.length > 0) {
    const frame = work[work.length - 1];
    const [node, next] = frame;
    const targets = edges.get(node);
    if (next < targets.length) {
      frame[1] += 1;
      const target = targets[next];
      if (!index.has(target)) {
        index.set(target, counter);
        low.set(target, counter++);
        stack.push(target);
        onStack.add(target);
        work.push([target, 0]);
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node), index.get(target)));
      continue;
    }
    work.pop();
    if (work.length > 0) {
      const parent = work[work.length - 1][0];
      low.set(parent, Math.min(low.get(parent), low.get(node)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || edges.get(node).includes(node)) components.push(component);
    }
  }
}

/** The shortest path from `from` back to itself inside one component (breadth first). */
function shortestCircle(from, members) {
  const previous = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const target of edges.get(node)) {
      if (target === from) {
        const path = [from];
        for (let at = node; at !== from; at = previous.get(at)) path.splice(1, 0, at);
        return [...path, from];
      }
      if (members.has(target) && !previous.has(target)) {
        previous.set(target, node);
        queue.push(target);
      }
    }
  }
  return [from, from];
}

if (components.length === 0) {
  console.log(`import cycles: none among ${files.size} files (${imports} imports)`);
} else {
  for (const component of components) {
    const members = new Set(component);
    const first = [...component].sort()[0];
    const circle = shortestCircle(first, members).map(name).join(' -> ');
    console.error(`import cycle (${component.length} files): ${circle}`);
  }
  console.error(
    `${components.length} import cycle(s): move what both sides share into a module of its own`,
  );
  process.exitCode = 1;
}
