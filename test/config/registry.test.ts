import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import YAML from 'yaml';
import {
  SUBGRAPHS,
  SUBGRAPH_NAMES,
  loadConfig,
  parseSubgraphRegistry,
  subgraphUrlsFrom,
} from '@bastion/platform';
import { gatewayConfigSchema } from '@bastion/gateway';
import { composeSupergraphs } from '@bastion/schema';
import { loadSubgraphDefinitions } from '@bastion/all-in-one';
import { ROOT, TEST_JWT_SECRET } from '@bastion/testing';

// Written out by hand: the five subgraphs this repository ships and where they listen by default.
const SHIPPED = { auth: 4001, orgs: 4002, credits: 4003, ai: 4004, webhooks: 4005 };
const KEY = { JWT_SECRET: TEST_JWT_SECRET };

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const sorted = (names: Iterable<string>) => [...names].sort();

/**
 * subgraphs/registry.json is the one list of subgraphs (docs/development.md "Adding a subgraph"): every
 * consumer yields exactly its names, and the hand-written deployment files agree with it.
 */
describe('the subgraph registry', () => {
  it('lists the shipped subgraphs, in start order, on their ports', () => {
    expect(SUBGRAPHS.map((s) => [s.name, s.port])).toEqual(Object.entries(SHIPPED));
  });

  it('derives every field that follows from the name, and holds only name, port and scopes', () => {
    const entry = { name: 'billing', port: 4005 };
    // Written out by hand: the convention docs/development.md "Adding a subgraph" states.
    expect(
      parseSubgraphRegistry({
        subgraphs: [{ ...entry, serviceToken: { scopes: ['credits:read'] } }],
      }),
    ).toEqual([
      {
        name: 'billing',
        port: 4005,
        portVar: 'BILLING_PORT',
        urlVar: 'BILLING_URL',
        folder: 'subgraphs/billing',
        package: '@bastion/billing',
        main: 'dist/main.js',
        serviceToken: { var: 'BILLING_SERVICE_TOKEN', scopes: ['credits:read'] },
      },
    ]);
    expect(parseSubgraphRegistry({ subgraphs: [entry] })[0]).not.toHaveProperty('serviceToken');
    // A field that follows from the name is not spelled out again.
    expect(() =>
      parseSubgraphRegistry({ subgraphs: [{ ...entry, urlVar: 'BILLING_URL' }] }),
    ).toThrow('"urlVar" is not an entry field');
    expect(() =>
      parseSubgraphRegistry({
        subgraphs: [
          { ...entry, serviceToken: { var: 'BILLING_SERVICE_TOKEN', scopes: ['credits:read'] } },
        ],
      }),
    ).toThrow('serviceToken holds its scopes only');
    expect(() =>
      parseSubgraphRegistry({ subgraphs: [entry, { name: 'other', port: 4005 }] }),
    ).toThrow('share the port 4005');
    expect(() => parseSubgraphRegistry({ subgraphs: [entry, { ...entry, port: 4006 }] })).toThrow(
      'share the name billing',
    );
    expect(() => parseSubgraphRegistry({ subgraphs: [{ ...entry, name: 'Billing' }] })).toThrow(
      'lower-case',
    );
    expect(() =>
      parseSubgraphRegistry({ subgraphs: [{ ...entry, serviceToken: { scopes: ['root'] } }] }),
    ).toThrow('serviceToken.scopes');
    expect(() =>
      parseSubgraphRegistry({ subgraphs: [{ ...entry, serviceToken: { scopes: ['root:all'] } }] }),
    ).toThrow('unknown scope root:all');
  });

  it('the scripts read the same derived entries as the platform', () => {
    const script = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import r from ${JSON.stringify(join(ROOT, 'subgraphs/registry.cjs'))}; console.log(JSON.stringify(r.readSubgraphRegistry()))`,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(script)).toEqual(JSON.parse(JSON.stringify(SUBGRAPHS)));
  });

  it('names exactly the workspace folders under subgraphs/, each with its package, SDL, codegen settings, index and main', () => {
    const folders = readdirSync(join(ROOT, 'subgraphs'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(ROOT, 'subgraphs', e.name, 'package.json')))
      .map((e) => `subgraphs/${e.name}`);
    expect(sorted(folders)).toEqual(sorted(SUBGRAPHS.map((s) => s.folder)));
    for (const entry of SUBGRAPHS) {
      expect([entry.name, JSON.parse(read(`${entry.folder}/package.json`)).name]).toEqual([
        entry.name,
        entry.package,
      ]);
      for (const file of ['schema.graphql', 'codegen.json', 'src/index.ts', 'src/main.ts'])
        expect([entry.name, file, existsSync(join(ROOT, entry.folder, file))]).toEqual([
          entry.name,
          file,
          true,
        ]);
    }
    expect(JSON.parse(read('package.json')).workspaces).toContain('subgraphs/*');
  });

  it("npm start and npm run migrate load each package's definition, with the registry's port as its default", async () => {
    const definitions = await loadSubgraphDefinitions();
    expect([...definitions.keys()]).toEqual(Object.keys(SHIPPED));
    for (const entry of SUBGRAPHS) {
      const config = loadConfig(definitions.get(entry.name)!.configSchema, KEY) as Record<
        string,
        unknown
      >;
      expect([entry.name, config[entry.portVar]]).toEqual([
        entry.name,
        SHIPPED[entry.name as keyof typeof SHIPPED],
      ]);
    }
  });

  it('the gateway finds every subgraph at its port unless its URL is set', () => {
    expect(subgraphUrlsFrom(loadConfig(gatewayConfigSchema, KEY))).toEqual({
      auth: 'http://127.0.0.1:4001/graphql',
      orgs: 'http://127.0.0.1:4002/graphql',
      credits: 'http://127.0.0.1:4003/graphql',
      ai: 'http://127.0.0.1:4004/graphql',
      webhooks: 'http://127.0.0.1:4005/graphql',
    });
    const moved = loadConfig(gatewayConfigSchema, {
      ...KEY,
      AUTH_PORT: '5101',
      CREDITS_PORT: '5103',
      CREDITS_URL: 'http://credits.internal:80/graphql',
      AI_URL: '',
    });
    expect(subgraphUrlsFrom(moved)).toEqual({
      auth: 'http://127.0.0.1:5101/graphql',
      orgs: 'http://127.0.0.1:4002/graphql',
      credits: 'http://credits.internal:80/graphql',
      ai: 'http://127.0.0.1:4004/graphql',
      webhooks: 'http://127.0.0.1:4005/graphql',
    });
  });

  it('another entry is found at its own port with no other change', () => {
    const billing = { name: 'billing', port: 4006 };
    const registry = JSON.parse(read('subgraphs/registry.json')) as { subgraphs: unknown[] };
    const six = parseSubgraphRegistry({ subgraphs: [...registry.subgraphs, billing] });
    expect(subgraphUrlsFrom({ BILLING_PORT: 5106 }, six)).toMatchObject({
      billing: 'http://127.0.0.1:5106/graphql',
      auth: 'http://127.0.0.1:4001/graphql',
    });
    expect(subgraphUrlsFrom({}, six).billing).toBe('http://127.0.0.1:4006/graphql');
  });

  it("composition joins exactly the registry's subgraphs", () => {
    const joined = [
      ...composeSupergraphs().internal.matchAll(/@join__graph\(name: "(\w+)", url: "([^"]+)"\)/g),
    ].map((m) => [m[1], m[2]]);
    expect(sorted(joined.map(([name, url]) => `${name} ${url}`))).toEqual(
      sorted(
        Object.entries(SHIPPED).map(([name, port]) => `${name} http://127.0.0.1:${port}/graphql`),
      ),
    );
  });

  describe('the deployment files npm run registry:sync writes agree with it', () => {
    type Service = {
      command?: string[];
      environment?: Record<string, string>;
      depends_on?: Record<string, unknown>;
      secrets?: string[];
    };
    const compose = YAML.parse(read('docker-compose.yml'), { merge: true }) as {
      services: Record<string, Service>;
      secrets: Record<string, unknown>;
    };

    it('docker-compose.yml runs each subgraph from its main on its port, and the gateway reaches and waits for each', () => {
      const runningSubgraphs = Object.entries(compose.services)
        .filter(([, s]) => s.command?.some((arg) => arg.startsWith('subgraphs/')))
        .map(([name]) => name);
      expect(sorted(runningSubgraphs)).toEqual(sorted(SUBGRAPH_NAMES));
      const gateway = compose.services.gateway!;
      for (const entry of SUBGRAPHS) {
        const service = compose.services[entry.name]!;
        expect([entry.name, service.command, service.environment?.[entry.portVar]]).toEqual([
          entry.name,
          ['node', `${entry.folder}/${entry.main}`],
          String(entry.port),
        ]);
        expect([entry.name, service.environment?.DATABASE_URL_FILE]).toEqual([
          entry.name,
          `/run/secrets/${entry.name}_database_url`,
        ]);
        if (entry.serviceToken)
          expect([entry.name, service.environment?.[`${entry.serviceToken.var}_FILE`]]).toEqual([
            entry.name,
            `/run/secrets/${entry.name}_service_token`,
          ]);
        expect([entry.name, gateway.environment?.[entry.urlVar]]).toEqual([
          entry.name,
          `http://${entry.name}:${entry.port}/graphql`,
        ]);
        expect([entry.name, Object.keys(gateway.depends_on ?? {}).includes(entry.name)]).toEqual([
          entry.name,
          true,
        ]);
        // The secrets scripts/compose-secrets.mjs writes for it, declared at the top level.
        for (const secret of [
          `${entry.name}_database_url`,
          `${entry.name}_db_password`,
          `${entry.name}_claims_key`,
          ...(entry.serviceToken ? [`${entry.name}_service_token`] : []),
        ]) {
          expect([entry.name, secret, secret in compose.secrets]).toEqual([
            entry.name,
            secret,
            true,
          ]);
        }
      }
    });

    it('deploy/postgres/roles.sql makes a role for each subgraph', () => {
      const roles = [
        ...read('deploy/postgres/roles.sql').matchAll(/\('(\w+)', :'\1_password'\)/g),
      ].map((m) => m[1]);
      expect(sorted(roles)).toEqual(sorted(SUBGRAPH_NAMES));
    });

    it('.env.example shows each port with its default and each URL unset', () => {
      const settings = new Map(
        [...read('.env.example').matchAll(/^(\w+)=(\S*)/gm)].map((m) => [m[1], m[2]]),
      );
      for (const entry of SUBGRAPHS) {
        expect([entry.portVar, settings.get(entry.portVar)]).toEqual([
          entry.portVar,
          String(entry.port),
        ]);
        expect([entry.urlVar, settings.get(entry.urlVar)]).toEqual([entry.urlVar, '']);
      }
    });
  });

  describe('npm run registry:sync (scripts/sync-registry.mjs)', () => {
    const DERIVED = ['docker-compose.yml', 'deploy/postgres/roles.sql', '.env.example'];
    const copies: string[] = [];
    afterAll(() => {
      for (const dir of copies) rmSync(dir, { recursive: true, force: true });
    });

    /** The registry and the three files in a directory of their own, synced there with `registry` as the registry. */
    function syncCopy(
      registry: unknown,
      ...args: string[]
    ): { dir: string; read: (path: string) => string; status: number } {
      const dir = mkdtempSync(join(tmpdir(), 'bastion-regsync-'));
      copies.push(dir);
      for (const path of DERIVED) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        cpSync(join(ROOT, path), join(dir, path));
      }
      mkdirSync(join(dir, 'subgraphs'));
      writeFileSync(join(dir, 'subgraphs/registry.json'), JSON.stringify(registry));
      let status = 0;
      try {
        execFileSync(
          process.execPath,
          [join(ROOT, 'scripts/sync-registry.mjs'), '--root', dir, ...args],
          { stdio: 'pipe' },
        );
      } catch (error) {
        status = (error as { status: number }).status;
      }
      return { dir, read: (path) => readFileSync(join(dir, path), 'utf8'), status };
    }
    const registry = JSON.parse(read('subgraphs/registry.json')) as { subgraphs: unknown[] };
    type Compose = {
      services: Record<
        string,
        Record<string, unknown> & {
          environment: Record<string, string>;
          depends_on: Record<string, unknown>;
          secrets: string[];
        }
      >;
      secrets: Record<string, unknown>;
    };
    const parse = (text: string) => YAML.parse(text, { merge: true }) as Compose;

    it('changes nothing in the committed files: they are fresh', () => {
      const copy = syncCopy(registry);
      expect(copy.status).toBe(0);
      for (const path of DERIVED)
        expect([path, copy.read(path) === read(path)]).toEqual([path, true]);
      expect(syncCopy(registry, '--check').status).toBe(0);
    });

    it("writes another entry's compose service, gateway wiring, secrets, role and settings, and --check finds the files stale", () => {
      const billing = { name: 'billing', port: 4006, serviceToken: { scopes: ['credits:read'] } };
      const six = { subgraphs: [...registry.subgraphs, billing] };
      expect(syncCopy(six, '--check').status).toBe(1);
      const copy = syncCopy(six);
      expect(copy.status).toBe(0);

      const before = parse(read('docker-compose.yml'));
      const after = parse(copy.read('docker-compose.yml'));
      const healthy = { condition: 'service_healthy' };
      expect(after.services.billing).toEqual({
        build: '.',
        depends_on: { nats: healthy, postgres: healthy, redis: healthy },
        // Its own claims key, never the gateway's internal_claims_secret (issue 16).
        secrets: ['billing_claims_key', 'billing_database_url', 'billing_service_token'],
        environment: {
          // x-service-env, as every service has it
          NODE_ENV: 'production',
          HOST: '0.0.0.0',
          NATS_URL: 'nats://nats:4222',
          REDIS_URL: 'redis://redis:6379',
          APOLLO_TELEMETRY_DISABLED: 'true',
          LOG_LEVEL: '${LOG_LEVEL:-info}',
          GATEWAY_INTERNAL_URL: 'http://gateway:4010/graphql',
          BILLING_PORT: '4006',
          DATABASE_URL_FILE: '/run/secrets/billing_database_url',
          BILLING_CLAIMS_KEY_FILE: '/run/secrets/billing_claims_key',
          BILLING_SERVICE_TOKEN_FILE: '/run/secrets/billing_service_token',
        },
        command: ['node', 'subgraphs/billing/dist/main.js'],
        restart: 'unless-stopped',
        healthcheck: {
          test: ['CMD', 'node', 'deploy/healthcheck.mjs'],
          interval: '10s',
          timeout: '3s',
          retries: 5,
          start_period: '30s',
        },
      });
      expect(after.services.gateway!.environment.BILLING_URL).toBe('http://billing:4006/graphql');
      expect(after.services.gateway!.depends_on.billing).toEqual(healthy);
      expect(after.services.postgres!.secrets).toContain('billing_db_password');
      for (const secret of [
        'billing_database_url',
        'billing_db_password',
        'billing_claims_key',
        'billing_service_token',
      ])
        expect(after.secrets[secret]).toEqual({ file: `./secrets/${secret}` });
      // Everything else as it was: the other services, hand-written extras included.
      const { billing: added, gateway, postgres, ...others } = after.services;
      const { gateway: gatewayBefore, postgres: postgresBefore, ...othersBefore } = before.services;
      expect([added, gateway, postgres, gatewayBefore, postgresBefore].every(Boolean)).toBe(true);
      expect(others).toEqual(othersBefore);
      expect(Object.keys(after.secrets).length).toBe(Object.keys(before.secrets).length + 4);
      execFileSync(
        join(ROOT, 'node_modules/.bin/dclint'),
        ['--max-warnings', '0', join(copy.dir, 'docker-compose.yml')],
        { stdio: 'pipe' },
      );

      const roles = copy.read('deploy/postgres/roles.sql');
      expect(roles).toContain(
        "  ('webhooks', :'webhooks_password'),\n  ('billing', :'billing_password')\n",
      );
      expect(roles).toContain(
        '\\if :{?billing_password}\n\\else\n  \\set billing_password `cat /run/secrets/billing_db_password`\n\\endif\n',
      );
      const env = copy.read('.env.example').split('\n');
      expect(env).toEqual(
        expect.arrayContaining([
          'BILLING_URL=',
          'BILLING_PORT=4006',
          'BILLING_CLAIMS_KEY=                  # the billing process only',
          'BILLING_SERVICE_TOKEN=               # scope credits:read',
        ]),
      );
      // Only the new entry's lines were added.
      expect(env.length).toBe(read('.env.example').split('\n').length + 4);
    });

    it('drops what a removed entry had, and a token its entry no longer names', () => {
      const entries = registry.subgraphs as { name: string; serviceToken?: unknown }[];
      const copy = syncCopy({
        subgraphs: entries
          .filter((s) => s.name !== 'credits')
          .map((s) => (s.name === 'ai' ? { ...s, serviceToken: undefined } : s)),
      });
      expect(copy.status).toBe(0);
      const after = parse(copy.read('docker-compose.yml'));
      expect(Object.keys(after.services)).not.toContain('credits');
      expect(after.services.gateway!.environment.CREDITS_URL).toBeUndefined();
      expect(Object.keys(after.services.gateway!.depends_on)).toEqual([
        'ai',
        'auth',
        'orgs',
        'redis',
        'webhooks',
      ]);
      expect(after.services.ai!.secrets).toEqual(['ai_claims_key', 'ai_database_url']);
      expect(after.services.ai!.environment.AI_SERVICE_TOKEN_FILE).toBeUndefined();
      expect(after.services.ai!.environment.GEMINI_API_KEY).toBe('${GEMINI_API_KEY:-}');
      expect(
        Object.keys(after.secrets).filter(
          (name) => name.startsWith('credits_') || name === 'ai_service_token',
        ),
      ).toEqual([]);
      expect(copy.read('deploy/postgres/roles.sql')).not.toContain('credits');
      expect(copy.read('.env.example')).not.toMatch(
        /^(CREDITS_PORT|CREDITS_URL|CREDITS_CLAIMS_KEY|AI_SERVICE_TOKEN)=/m,
      );
    });
  });
});
