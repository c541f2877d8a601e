import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, StartupRefusal, stopOnSignals } from '@bastion/platform';
import { startPlatform } from './start-platform';

/** Development only: a secret kept beside the embedded database, so sessions survive restarts. */
function developmentSecret(dataDir: string): string {
  const file = join(dataDir, 'development-jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}

/** `npm start`: everything in one process, embedded PGlite under DATA_DIR, in-process bus. */
async function main(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const env = { ...process.env };
  if (!env.JWT_SECRET && env.NODE_ENV !== 'production') {
    // A fresh machine has no .env: development runs on a generated secret; production must set one.
    env.JWT_SECRET = developmentSecret(env.DATA_DIR ?? './data');
    console.warn('JWT_SECRET is unset: using a generated development secret stored under DATA_DIR.');
  }
  const platform = await startPlatform(env);
  const { gateway } = platform;
  // What a browser finds at the GraphQL URL: production serves no explorer, whatever EXPLORER says.
  const explorer = {
    graphiql: 'open in a browser for GraphiQL, served from here: works offline',
    sandbox: "open in a browser for Apollo Sandbox, loaded from Apollo's CDN",
    off: 'no explorer in a browser (EXPLORER=off, or production)',
  }[gateway.explorer];
  const lines = [
    '',
    'Bastion is running.',
    `  GraphQL:                   ${gateway.url}  (${explorer})`,
    `  Internal listener:         ${gateway.internalUrl}`,
    `  Health / readiness:        ${gateway.url.replace('/graphql', '/health')}  ${gateway.url.replace('/graphql', '/ready')}`,
  ];
  if (env.NODE_ENV !== 'production') lines.push(`  Landing page:              ${gateway.url.replace(/\/graphql$/, '/')}`);
  if (platform.devServiceToken) {
    lines.push(`  Development service token (every scope; shown once): ${platform.devServiceToken}`);
  }
  console.log(`${lines.join('\n')}\n`);
  stopOnSignals(() => platform.stop(), { logger: platform.deps.logger, timeoutMs: platform.deps.shutdownTimeoutMs });
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof StartupRefusal ? error.message : error);
  process.exit(1);
});
