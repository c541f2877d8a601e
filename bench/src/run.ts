import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { DEPLOYMENT_SCHEMAS, schemaName, signForwardedClaims } from '@bastion/platform';
import { startPlatform } from '@bastion/standalone';
import { load, type LoadResult } from './load';

/**
 * `npm run bench`: the whole platform in this process (embedded PGlite unless DATABASE_URL is
 * set), loaded over loopback. Numbers go to stdout and bench/REPORT.md; no test asserts them.
 */
async function main(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const seconds = Number(process.env.BENCH_SECONDS ?? 5);
  const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
  const env = {
    ...process.env, NODE_ENV: 'production', LOG_LEVEL: 'silent', EXPLORER: 'off',
    JWT_SECRET: process.env.JWT_SECRET ?? 'bench-secret-bench-secret-bench-secret-0123', PASSWORD_PEPPER: 'bench-pepper-0123456789',
    SERVICE_TOKENS: '[]', DATA_DIR: process.env.DATA_DIR ?? resolve(__dirname, '../../data/bench'), RATE_LIMIT_AUTH_PER_IP: '1000000',
    // One client address drives the whole load: the per-caller cost budget would throttle it.
    COST_BUDGET_PER_MINUTE: '1000000000',
  };
  // On a shared PostgreSQL the run works in schemas of its own and drops them afterwards.
  const schemaSuffix = process.env.DATABASE_URL ? `bench${Date.now()}` : undefined;
  const platform = await startPlatform(env, { ephemeralPorts: true, schemaSuffix });
  const url = platform.gateway.url;
  const rssAtStart = process.memoryUsage().rss;
  try {
    const email = `bench-${Date.now()}@example.com`;
    const registered = await fetch(url, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `mutation { register(input: { email: "${email}", password: "benchmark password" }) { accessToken } }` }),
    }).then((r) => r.json() as Promise<{ data: { register: { accessToken: string } } }>);
    const token = registered.data.register.accessToken;
    await new Promise((r) => setTimeout(r, 500));

    const results: LoadResult[] = [];
    const publicQuery = JSON.stringify({ query: '{ aiModels { id displayName creditsPerRequest } }' });
    const query = '{ aiModels { id displayName creditsPerRequest } }';
    const direct = async () => ({ 'x-bastion-claims': await signForwardedClaims({ kind: 'anonymous' }, { ip: null, userAgent: null }, 'ai', { query, operationName: null, variables: null }, platform.deps.claimsKey) });
    // Warm up, then measure.
    await load('warm-up', url, publicQuery, { concurrency, seconds: 1 });
    results.push(await load('public query via gateway (1 subgraph)', url, publicQuery, { concurrency, seconds }));
    results.push(await loadDirect(platform.ai.url, query, direct, concurrency, seconds));
    results.push(await load('me + credits via gateway (2 subgraphs, JWT)', url, JSON.stringify({ query: '{ me { email credits { balance } } }' }), {
      concurrency, seconds, headers: { authorization: `Bearer ${token}` },
    }));
    results.push(await load('login (argon2id m=19 MiB t=2)', url, JSON.stringify({
      query: `mutation { login(email: "${email}", password: "benchmark password") { accessToken } }`,
    }), { concurrency: 4, seconds }));
    const rssAtEnd = process.memoryUsage().rss;
    report(results, rssAtStart, rssAtEnd, { seconds, concurrency, database: process.env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite' });
  } finally {
    const { databaseUrl } = platform.deps;
    await platform.stop();
    if (schemaSuffix) await dropSchemas(databaseUrl, schemaSuffix);
  }
}

async function dropSchemas(databaseUrl: string, suffix: string): Promise<void> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  for (const service of DEPLOYMENT_SCHEMAS) await client.query(`DROP SCHEMA IF EXISTS "${schemaName(service, suffix)}" CASCADE`);
  await client.end();
}

async function loadDirect(url: string, query: string, headers: () => Promise<Record<string, string>>, concurrency: number, seconds: number): Promise<LoadResult> {
  // Claims are single-use, so each request needs fresh ones: sign a batch ahead of time.
  const { Pool } = await import('undici');
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < deadline) {
      const t0 = process.hrtime.bigint();
      const response = await pool.request({ path: target.pathname, method: 'POST', body: JSON.stringify({ query }), headers: { 'content-type': 'application/json', ...(await headers()) } });
      const text = await response.body.text();
      if (response.statusCode !== 200 || text.includes('"errors"')) errors += 1;
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  latencies.sort((a, b) => a - b);
  return {
    name: 'same query straight to the ai subgraph (baseline)', requests: latencies.length, errors, seconds: elapsed, perSecond: latencies.length / elapsed,
    p50Ms: latencies[Math.floor(0.5 * latencies.length)] ?? 0, p99Ms: latencies[Math.floor(0.99 * latencies.length)] ?? 0,
  };
}

function report(results: LoadResult[], rssStart: number, rssEnd: number, setup: { seconds: number; concurrency: number; database: string }): void {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
  const lines = [
    '# Benchmark report',
    '',
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), Node ${process.version},`,
    `${setup.database}, everything in one process, ${setup.seconds} s per scenario, ${setup.concurrency} concurrent clients (login: 4).`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.name} | ${r.perSecond.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.errors} |`),
    '',
    `Resident memory of the process: ${mb(rssStart)} after start, ${mb(rssEnd)} after the runs.`,
    '',
  ];
  const text = lines.join('\n');
  console.log(text);
  // eslint-disable-next-line security/detect-non-literal-fs-filename -- a fixed file beside the bench sources
  writeFileSync(resolve(__dirname, '../REPORT.md'), text);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
