// The subgraph registry with everything that follows from a subgraph's name, for TypeScript (the
// platform's registry module) and the scripts alike (docs/development.md "Adding a subgraph"). registry.json
// holds only what cannot be derived: the name, the default port and, for a subgraph that calls the
// gateway's internal listener, the scopes its service token needs.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const NAME = /^[a-z][a-z0-9]*$/;
const SCOPE = /^[a-z]+:[a-z]+$/;
const ENTRY_KEYS = ['name', 'port', 'serviceToken'];

/** One entry with its derived fields: variables, folder, package, entry point, token variable. */
function deriveSubgraph(entry) {
  const upper = entry.name.toUpperCase();
  return {
    name: entry.name,
    port: entry.port,
    portVar: `${upper}_PORT`,
    urlVar: `${upper}_URL`,
    folder: `subgraphs/${entry.name}`,
    package: `@bastion/${entry.name}`,
    main: 'dist/main.js',
    ...(entry.serviceToken && {
      serviceToken: { var: `${upper}_SERVICE_TOKEN`, scopes: [...entry.serviceToken.scopes] },
    }),
  };
}

function problemsOf(entry) {
  if (typeof entry !== 'object' || entry === null) return ['an entry is not an object'];
  const label = JSON.stringify(entry.name);
  const problems = Object.keys(entry)
    .filter((key) => !ENTRY_KEYS.includes(key))
    .map((key) => `${label}: "${key}" is not an entry field (it follows from the name)`);
  if (typeof entry.name !== 'string' || !NAME.test(entry.name))
    problems.push(`${label}: a name is lower-case letters and digits`);
  if (!Number.isInteger(entry.port) || entry.port < 1 || entry.port > 65535)
    problems.push(`${label}: port must be an integer from 1 to 65535`);
  if (entry.serviceToken !== undefined) {
    const { scopes, ...rest } = entry.serviceToken ?? {};
    if (Object.keys(rest).length > 0)
      problems.push(
        `${label}: serviceToken holds its scopes only (its variable follows from the name)`,
      );
    if (!Array.isArray(scopes) || scopes.length === 0 || !scopes.every((s) => SCOPE.test(s)))
      problems.push(`${label}: serviceToken.scopes must list scopes like "orgs:read"`);
  }
  return problems;
}

/** The registry's subgraphs, checked and derived, in start order; throws naming every problem. */
function parseSubgraphRegistry(value) {
  const subgraphs = value && value.subgraphs;
  if (!Array.isArray(subgraphs) || subgraphs.length === 0)
    throw new Error('subgraphs/registry.json: no subgraphs');
  const problems = subgraphs.flatMap(problemsOf);
  for (const key of ['name', 'port']) {
    const seen = new Set();
    for (const entry of subgraphs) {
      if (seen.has(entry[key])) problems.push(`two subgraphs share the ${key} ${entry[key]}`);
      seen.add(entry[key]);
    }
  }
  if (problems.length > 0) throw new Error(`subgraphs/registry.json: ${problems.join('; ')}`);
  return Object.freeze(subgraphs.map((entry) => Object.freeze(deriveSubgraph(entry))));
}

/** The registry of the repository at `root` (this one's by default). */
function readSubgraphRegistry(root = join(__dirname, '..')) {
  return parseSubgraphRegistry(
    JSON.parse(readFileSync(join(root, 'subgraphs/registry.json'), 'utf8')),
  );
}

module.exports = { deriveSubgraph, parseSubgraphRegistry, readSubgraphRegistry };
