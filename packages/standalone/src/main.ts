import { DEVELOPMENT_HOSTS, DEVELOPMENT_PORTS } from '@bastion/gateway';
import { describeStartupError, stopOnSignals, withDevelopmentSecrets, withDotEnv, type Env } from '@bastion/platform';
import { loadAllConfigs, loadSubgraphDefinitions, startPlatform } from './start-platform';

/** The parsed settings, to name the variable behind a busy port. */
let parsed: Record<string, unknown>[] = [];

/** `npm start`: everything in one process, embedded PGlite under DATA_DIR, events on the database bus. */
async function main(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  // A fresh machine has no .env: development runs on generated secrets; production must set them.
  // (REFRESH_TOKEN_SECRET needs none: outside production auth derives it from its signing key.)
  const dotEnv = withDotEnv(process.env as Env);
  const hmac = (dotEnv.env.JWT_ALGORITHM ?? 'HS256') === 'HS256';
  const { env, generated } = withDevelopmentSecrets(dotEnv.env, [...(hmac ? ['JWT_SECRET'] : []), 'INTERNAL_CLAIMS_SECRET']);
  if (generated.length > 0) console.warn(`${generated.join(', ')} unset: using development secrets stored under DATA_DIR.`);
  if (dotEnv.path) console.warn(`${dotEnv.loaded.length} settings loaded from ${dotEnv.path} (variables already set win).`);
  const configs = loadAllConfigs(env, await loadSubgraphDefinitions());
  parsed = [configs.common, configs.gateway, ...Object.values(configs.subgraphs)];
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
  if (env.NODE_ENV !== 'production' && !env.CORS_ORIGINS) {
    lines.push(
      `  Browser apps (CORS):       http(s)://${DEVELOPMENT_HOSTS.join(', ')} on ports ${DEVELOPMENT_PORTS.join(', ')} (CORS_ORIGINS to choose)`,
      '                             call the API on the host name the app runs on: cookies do not cross between localhost and 127.0.0.1',
    );
  }
  if (platform.devServiceToken) {
    lines.push(`  Development service token (every scope; shown once): ${platform.devServiceToken}`);
  }
  console.log(`${lines.join('\n')}\n`);
  stopOnSignals(() => platform.stop(), { logger: platform.deps.logger, timeoutMs: platform.deps.shutdownTimeoutMs });
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error, parsed));
  process.exit(1);
});
