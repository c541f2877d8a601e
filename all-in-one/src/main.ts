import { DEVELOPMENT_HOSTS, DEVELOPMENT_PORTS } from '@bastion/gateway';
import {
  CONSOLE_PATH,
  SERVICE_SECRETS,
  consoleEnabled,
  reportStartupFailure,
  startupLogger,
  stopOnSignals,
  withDefaultLogFormat,
  withDevelopmentSecrets,
  withDotEnv,
  type Env,
  type Logger,
} from '@bastion/platform';
import { loadAllConfigs, loadSubgraphDefinitions, startPlatform } from './start-platform';

/** The parsed settings, to name the variable behind a busy port. */
let parsed: Record<string, unknown>[] = [];
/** The process's own logger (settings loaded, the running summary, a failed start) and its format. */
let log: Logger | undefined;
let json = true;

/** `npm start`: everything in one process, embedded PGlite under DATA_DIR, events on the database bus. */
async function main(): Promise<void> {
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  // A fresh machine has no .env: development runs on generated secrets; production must set them.
  // (REFRESH_TOKEN_SECRET needs none: outside production auth derives it from its signing key.)
  const dotEnv = withDotEnv(process.env as Env);
  // Readable lines in a developer's terminal, JSON lines anywhere else, unless LOG_FORMAT says.
  const formatted = withDefaultLogFormat(dotEnv.env);
  log = startupLogger('bastion', formatted);
  json = formatted.LOG_FORMAT !== 'pretty';
  const hmac = (formatted.JWT_ALGORITHM ?? 'HS256') === 'HS256';
  const { env, generated } = withDevelopmentSecrets(formatted, [
    ...(hmac ? ['JWT_SECRET'] : []),
    'INTERNAL_CLAIMS_SECRET',
    ...SERVICE_SECRETS,
  ]);
  if (generated.length > 0)
    log.warn({ variables: generated }, 'unset: using development secrets stored under DATA_DIR');
  if (dotEnv.path)
    log.info(
      { file: dotEnv.path, variables: dotEnv.loaded.length },
      'settings loaded from .env (variables already set win)',
    );
  const configs = loadAllConfigs(env, await loadSubgraphDefinitions());
  parsed = [configs.common, configs.gateway, ...Object.values(configs.subgraphs)];
  const platform = await startPlatform(env);
  stopOnSignals(() => platform.stop(), {
    logger: platform.deps.logger,
    timeoutMs: platform.deps.shutdownTimeoutMs,
  });
  const { gateway } = platform;
  // What a browser finds at the GraphQL URL: production serves no explorer, whatever EXPLORER says.
  const explorer = {
    graphiql: 'open in a browser for GraphiQL, served from here: works offline',
    sandbox: "open in a browser for Apollo Sandbox, loaded from Apollo's CDN",
    off: 'no explorer in a browser (EXPLORER=off, or production)',
  }[gateway.explorer];
  const health = gateway.url.replace(/\/graphql$/, '/health');
  const ready = gateway.url.replace(/\/graphql$/, '/ready');
  const landing =
    env.NODE_ENV !== 'production' ? gateway.url.replace(/\/graphql$/, '/') : undefined;
  const developmentCors = env.NODE_ENV !== 'production' && !env.CORS_ORIGINS;
  // Where mail goes without SMTP_URL outside production (docs/operations.md "The development inbox").
  const inbox =
    env.NODE_ENV !== 'production' && !env.SMTP_URL
      ? gateway.url.replace(/\/graphql$/, '/dev/inbox')
      : undefined;
  // The web console, when the gateway serves it (CONSOLE; docs/security.md "The web console").
  // Passkeys need a host name as relying party, so the terminal also names it on localhost.
  const webConsole = consoleEnabled(configs.gateway)
    ? gateway.url.replace(/\/graphql$/, `${CONSOLE_PATH}/`)
    : undefined;
  const webConsoleOnLocalhost = webConsole?.replace('//127.0.0.1:', '//localhost:');
  if (json) {
    // One structured record for log collectors; the same facts as the terminal's summary below.
    log.info(
      {
        graphql: gateway.url,
        internal: gateway.internalUrl,
        health,
        ready,
        landing,
        console: webConsole,
        inbox,
        explorer: gateway.explorer,
        corsOrigins: developmentCors
          ? { hosts: DEVELOPMENT_HOSTS, ports: DEVELOPMENT_PORTS }
          : undefined,
        developmentServiceToken: platform.devServiceToken,
      },
      'Bastion is running',
    );
    return;
  }
  const lines = [
    '',
    'Bastion is running.',
    `  GraphQL:                   ${gateway.url}  (${explorer})`,
    `  Internal listener:         ${gateway.internalUrl}`,
    `  Health / readiness:        ${health}  ${ready}`,
  ];
  if (webConsole)
    lines.push(
      `  Web console:               ${webConsole}${
        webConsoleOnLocalhost !== webConsole ? `  (passkeys: ${webConsoleOnLocalhost})` : ''
      }`,
    );
  if (landing) lines.push(`  Landing page:              ${landing}`);
  if (inbox) lines.push(`  Mail (SMTP_URL unset):     ${inbox}`);
  if (developmentCors) {
    lines.push(
      `  Browser apps (CORS):       http(s)://${DEVELOPMENT_HOSTS.join(', ')} on ports ${DEVELOPMENT_PORTS.join(', ')} (CORS_ORIGINS to choose)`,
      '                             call the API on the host name the app runs on: cookies do not cross between localhost and 127.0.0.1',
    );
  }
  if (platform.devServiceToken) {
    lines.push(
      `  Development service token (every scope; shown once): ${platform.devServiceToken}`,
    );
  }
  console.log(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  reportStartupFailure(error, parsed, log, json);
  process.exit(1);
});
