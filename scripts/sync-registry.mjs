#!/usr/bin/env node
// `npm run registry:sync`: rewrites the parts of the three files that cannot read
// subgraphs/registry.json from it, so adding a subgraph touches the registry and its folder only
// (docs/development.md "Adding a subgraph"):
// - docker-compose.yml: each subgraph's service (build, depends_on, its own secrets, environment
//   base, <NAME>_PORT, DATABASE_URL_FILE, <NAME>_CLAIMS_KEY_FILE, <NAME>_SERVICE_TOKEN_FILE, command,
//   restart, healthcheck), the gateway's <NAME>_URL and depends_on, postgres' <name>_db_password and
//   the top-level <name>_database_url / _db_password / _claims_key / _service_token secrets. Everything else in the file, a
//   subgraph's extra secrets and environment included, is hand-written and kept as it is.
// - deploy/postgres/roles.sql and .env.example: the blocks between `>>> registry:sync <block>` and
//   `<<< registry:sync <block>` comment lines.
// Usage: node scripts/sync-registry.mjs [--root <dir>] [--check]
//   --check writes nothing and exits 1 naming the stale files.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import YAML from 'yaml';

const { Pair, Scalar, YAMLMap, YAMLSeq, isMap, isScalar, isSeq } = YAML;

const FILES = {
  compose: 'docker-compose.yml',
  roles: 'deploy/postgres/roles.sql',
  env: '.env.example',
};

/** The registry's entries, checked as far as the generated text depends on them (the platform's schema checks the rest). */
export function readRegistry(root) {
  const { subgraphs } = JSON.parse(readFileSync(join(root, 'subgraphs/registry.json'), 'utf8'));
  if (!Array.isArray(subgraphs) || subgraphs.length === 0)
    throw new Error('subgraphs/registry.json: no subgraphs');
  const identifier = /^[A-Z][A-Z0-9_]*$/;
  for (const s of subgraphs) {
    const upper = String(s.name).toUpperCase();
    const ok =
      /^[a-z][a-z0-9]*$/.test(s.name) &&
      Number.isInteger(s.port) &&
      s.portVar === `${upper}_PORT` &&
      s.urlVar === `${upper}_URL` &&
      s.folder === `subgraphs/${s.name}` &&
      typeof s.main === 'string' &&
      /^[\w./-]+$/.test(s.main) &&
      (s.serviceToken === undefined ||
        (s.serviceToken.var === `${upper}_SERVICE_TOKEN` &&
          identifier.test(s.serviceToken.var) &&
          Array.isArray(s.serviceToken.scopes) &&
          s.serviceToken.scopes.every((scope) => /^[a-z]+:[a-z]+$/.test(scope))));
    if (!ok)
      throw new Error(
        `subgraphs/registry.json: entry ${JSON.stringify(s.name)} is off the convention (docs/development.md "Adding a subgraph")`,
      );
  }
  return subgraphs;
}

/** Each file's content after the sync: { path: text }. */
export function syncedFiles(root, subgraphs = readRegistry(root)) {
  const read = (path) => readFileSync(join(root, path), 'utf8');
  return {
    [FILES.compose]: syncCompose(read(FILES.compose), subgraphs),
    [FILES.roles]: syncRoles(read(FILES.roles), subgraphs),
    [FILES.env]: syncEnv(read(FILES.env), subgraphs),
  };
}

// ---- docker-compose.yml --------------------------------------------------------------------

/** Secrets that belong to one subgraph by their name (scripts/compose-secrets.mjs writes them). */
const PER_SUBGRAPH_SECRET = /^[a-z][a-z0-9]*_(database_url|db_password|claims_key|service_token)$/;
/** dclint's service-keys-order: the generated services keep to it, with hand-written keys among them. */
const KEY_ORDER = [
  'image',
  'build',
  'container_name',
  'depends_on',
  'volumes',
  'volumes_from',
  'configs',
  'secrets',
  'environment',
  'env_file',
  'ports',
  'networks',
  'network_mode',
  'extra_hosts',
  'command',
  'entrypoint',
  'working_dir',
  'restart',
  'healthcheck',
  'logging',
  'labels',
  'user',
  'isolation',
];

const secretsOf = (s) => [
  `${s.name}_database_url`,
  // Its own forwarded-claims key only, never the gateway's internal_claims_secret it derives from.
  `${s.name}_claims_key`,
  ...(s.serviceToken ? [`${s.name}_service_token`] : []),
];
const quotedFlow = (items) => {
  const seq = new YAMLSeq();
  seq.flow = true;
  for (const item of items)
    seq.items.push(Object.assign(new Scalar(item), { type: Scalar.QUOTE_DOUBLE }));
  return seq;
};
const keyOf = (pair) => (isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
const byName = (a, b) => keyOf(a).localeCompare(keyOf(b));
const sortedStrings = (seq) =>
  seq.items.sort((a, b) => String(a.value ?? a).localeCompare(String(b.value ?? b)));

function mapAt(doc, path, what) {
  const node = doc.getIn(path, true);
  if (!isMap(node)) throw new Error(`${FILES.compose}: ${what} (${path.join('.')}) is missing`);
  return node;
}

function seqIn(doc, map, key) {
  let seq = map.get(key, true);
  if (!isSeq(seq)) {
    seq = new YAMLSeq();
    map.set(doc.createNode(key), seq);
  }
  return seq;
}

/** The one template of a subgraph's service; `existing` keeps its hand-written keys, secrets and environment. */
function subgraphService(doc, s, existing, anchors) {
  const service = existing ?? new YAMLMap();
  const set = (key, value) => service.set(doc.createNode(key), value);
  set('build', doc.createNode('.'));
  set('depends_on', doc.createAlias(anchors.depends));

  const secrets = seqIn(doc, service, 'secrets');
  secrets.items = secrets.items.filter(
    (item) =>
      !PER_SUBGRAPH_SECRET.test(String(item.value ?? item)) &&
      String(item.value ?? item) !== 'internal_claims_secret',
  );
  for (const name of secretsOf(s)) secrets.items.push(doc.createNode(name));
  sortedStrings(secrets);

  const upper = s.name.toUpperCase();
  const generated = [
    new Pair(doc.createNode('<<'), doc.createAlias(anchors.env)),
    new Pair(doc.createNode(s.portVar), doc.createNode(String(s.port))),
    new Pair(
      doc.createNode('DATABASE_URL_FILE'),
      doc.createNode(`/run/secrets/${s.name}_database_url`),
    ),
    new Pair(
      doc.createNode(`${upper}_CLAIMS_KEY_FILE`),
      doc.createNode(`/run/secrets/${s.name}_claims_key`),
    ),
    ...(s.serviceToken
      ? [
          new Pair(
            doc.createNode(`${s.serviceToken.var}_FILE`),
            doc.createNode(`/run/secrets/${s.name}_service_token`),
          ),
        ]
      : []),
  ];
  const ownKeys = new Set([
    '<<',
    s.portVar,
    'DATABASE_URL_FILE',
    `${upper}_CLAIMS_KEY_FILE`,
    `${upper}_SERVICE_TOKEN_FILE`,
    // The gateway's master: a subgraph never gets it (older files gave it to every service).
    'INTERNAL_CLAIMS_SECRET_FILE',
  ]);
  const environment = service.get('environment', true);
  const handWritten = isMap(environment)
    ? environment.items.filter((pair) => !ownKeys.has(keyOf(pair)))
    : [];
  const env = isMap(environment) ? environment : new YAMLMap();
  env.items = [...generated, ...handWritten];
  set('environment', env);

  set('command', quotedFlow(['node', `${s.folder}/${s.main}`]));
  set('restart', doc.createNode('unless-stopped'));
  const healthcheck = doc.createNode({
    test: ['CMD', 'node', 'deploy/healthcheck.mjs'],
    interval: '10s',
    timeout: '3s',
    retries: 5,
    start_period: '30s',
  });
  healthcheck.set('test', quotedFlow(['CMD', 'node', 'deploy/healthcheck.mjs']));
  set('healthcheck', healthcheck);

  const rank = (pair) => {
    const index = KEY_ORDER.indexOf(keyOf(pair));
    return index === -1 ? KEY_ORDER.length : index;
  };
  service.items.sort(
    (a, b) => rank(a) - rank(b) || (rank(a) === KEY_ORDER.length ? byName(a, b) : 0),
  );
  return service;
}

export function syncCompose(text, subgraphs) {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${FILES.compose}: ${doc.errors[0].message}`);
  const anchors = {
    env: mapAt(doc, ['x-service-env'], 'the &service-env block'),
    depends: mapAt(doc, ['x-subgraph-depends'], 'the &subgraph-depends block'),
  };
  const services = mapAt(doc, ['services'], 'services');
  const names = new Set(subgraphs.map((s) => s.name));

  // A service running a subgraph's main that the registry no longer lists goes.
  const runsSubgraph = (service) => {
    const command = isMap(service) ? service.get('command', true) : undefined;
    return (
      isSeq(command) &&
      command.items.some((item) => String(item.value ?? item).startsWith('subgraphs/'))
    );
  };
  services.items = services.items.filter(
    (pair) => names.has(keyOf(pair)) || !runsSubgraph(pair.value),
  );
  for (const s of subgraphs) {
    const existing = services.get(s.name, true);
    const service = subgraphService(doc, s, isMap(existing) ? existing : undefined, anchors);
    if (!isMap(existing)) services.items.push(new Pair(doc.createNode(s.name), service));
  }
  services.items.sort(byName);
  services.items.forEach((pair, index) => {
    if (!isScalar(pair.key)) pair.key = doc.createNode(pair.key);
    pair.key.spaceBefore = index > 0;
  });
  const serviceNames = new Set(services.items.map(keyOf));

  // The gateway reaches each subgraph by its service name and starts once each is healthy.
  const gateway = mapAt(doc, ['services', 'gateway'], 'the gateway service');
  const gatewayEnv = mapAt(
    doc,
    ['services', 'gateway', 'environment'],
    "the gateway's environment",
  );
  // <NAME>_URL: http://<name>:<port>/graphql, as written below.
  const isSubgraphUrl = (pair) => {
    const url = /^http:\/\/([a-z][a-z0-9]*):\d+\/graphql$/.exec(
      String(pair.value?.value ?? pair.value),
    );
    return url !== null && keyOf(pair) === `${url[1].toUpperCase()}_URL`;
  };
  const firstUrl = gatewayEnv.items.findIndex(isSubgraphUrl);
  const urls = subgraphs.map(
    (s) => new Pair(doc.createNode(s.urlVar), doc.createNode(`http://${s.name}:${s.port}/graphql`)),
  );
  const kept = gatewayEnv.items.filter((pair) => !isSubgraphUrl(pair));
  const at = firstUrl === -1 ? kept.length : firstUrl;
  gatewayEnv.items = [...kept.slice(0, at), ...urls, ...kept.slice(at)];

  let dependsOn = gateway.get('depends_on', true);
  if (!isMap(dependsOn)) {
    dependsOn = new YAMLMap();
    gateway.set(doc.createNode('depends_on'), dependsOn);
  }
  dependsOn.items = dependsOn.items.filter(
    (pair) => !names.has(keyOf(pair)) && serviceNames.has(keyOf(pair)),
  );
  for (const s of subgraphs)
    dependsOn.items.push(
      new Pair(doc.createNode(s.name), doc.createNode({ condition: 'service_healthy' })),
    );
  dependsOn.items.sort(byName);

  // The database role passwords postgres' init script reads, and every per-subgraph secret's file.
  const postgresSecrets = seqIn(
    doc,
    mapAt(doc, ['services', 'postgres'], 'the postgres service'),
    'secrets',
  );
  postgresSecrets.items = postgresSecrets.items.filter(
    (item) => !/_db_password$/.test(String(item.value ?? item)),
  );
  for (const s of subgraphs) postgresSecrets.items.push(doc.createNode(`${s.name}_db_password`));
  sortedStrings(postgresSecrets);

  const secrets = mapAt(doc, ['secrets'], 'the top-level secrets');
  secrets.items = secrets.items.filter((pair) => !PER_SUBGRAPH_SECRET.test(keyOf(pair)));
  for (const s of subgraphs) {
    for (const name of [...secretsOf(s), `${s.name}_db_password`])
      secrets.items.push(
        new Pair(doc.createNode(name), doc.createNode({ file: `./secrets/${name}` })),
      );
  }
  secrets.items.sort(byName);

  return doc.toString({ lineWidth: 0 });
}

// ---- marked blocks in roles.sql and .env.example ----------------------------------------------

/** Replaces the lines between `<comment> >>> registry:sync <block>` and `<comment> <<< registry:sync <block>`. */
export function replaceBlock(text, file, comment, block, lines) {
  const all = text.split('\n');
  const marker = (direction) =>
    all.findIndex((line) =>
      line.trim().startsWith(`${comment} ${direction} registry:sync ${block}`),
    );
  const begin = marker('>>>');
  const end = marker('<<<');
  if (begin === -1 || end < begin)
    throw new Error(
      `${file}: no "${comment} >>> registry:sync ${block}" ... "${comment} <<< registry:sync ${block}" lines`,
    );
  return [...all.slice(0, begin + 1), ...lines, ...all.slice(end)].join('\n');
}

export function syncRoles(text, subgraphs) {
  const passwords = subgraphs.flatMap((s) => [
    `\\if :{?${s.name}_password}`,
    '\\else',
    `  \\set ${s.name}_password \`cat /run/secrets/${s.name}_db_password\``,
    '\\endif',
  ]);
  const values = subgraphs.map(
    (s, i) => `  ('${s.name}', :'${s.name}_password')${i < subgraphs.length - 1 ? ',' : ''}`,
  );
  return replaceBlock(
    replaceBlock(text, FILES.roles, '--', 'passwords', passwords),
    FILES.roles,
    '--',
    'roles',
    values,
  );
}

/** A setting with its comment at the file's comment column. */
const setting = (line, comment) => (comment ? `${line.padEnd(36)} # ${comment}` : line);

export function syncEnv(text, subgraphs) {
  let out = replaceBlock(
    text,
    FILES.env,
    '#',
    'urls',
    subgraphs.map((s) => `${s.urlVar}=`),
  );
  out = replaceBlock(
    out,
    FILES.env,
    '#',
    'ports',
    subgraphs.map((s) => `${s.portVar}=${s.port}`),
  );
  out = replaceBlock(
    out,
    FILES.env,
    '#',
    'claims-keys',
    subgraphs.map((s) =>
      setting(`${s.name.toUpperCase()}_CLAIMS_KEY=`, `the ${s.name} process only`),
    ),
  );
  return replaceBlock(
    out,
    FILES.env,
    '#',
    'service-tokens',
    subgraphs
      .filter((s) => s.serviceToken)
      .map((s) =>
        setting(
          `${s.serviceToken.var}=`,
          `scope${s.serviceToken.scopes.length > 1 ? 's' : ''} ${s.serviceToken.scopes.join(' ')}`,
        ),
      ),
  );
}

// ---- command line ------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { root: { type: 'string' }, check: { type: 'boolean' } },
  });
  const root = resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const changed = Object.entries(syncedFiles(root)).filter(
    ([path, text]) => readFileSync(join(root, path), 'utf8') !== text,
  );
  if (values.check) {
    if (changed.length > 0) {
      console.error(
        `not in line with subgraphs/registry.json (run npm run registry:sync and commit):\n  ${changed.map(([path]) => path).join('\n  ')}`,
      );
      process.exit(1);
    }
    console.log(
      `registry:sync: ${Object.keys(FILES).length} files agree with subgraphs/registry.json`,
    );
  } else {
    for (const [path, text] of changed) writeFileSync(join(root, path), text);
    console.log(
      changed.length > 0
        ? `registry:sync rewrote ${changed.map(([path]) => path).join(', ')}`
        : 'registry:sync: nothing to change',
    );
  }
}
