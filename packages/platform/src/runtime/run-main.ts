import type { z } from 'zod';
import type { CommonConfig } from '../config/common';
import { loadConfig } from '../config/load-config';
import { withDevelopmentSecrets } from './development-secrets';
import { createPlatformDeps, type PlatformDeps, type RunningService } from './platform-deps';
import { stopOnSignals } from './shutdown';

/**
 * The body of every service's main.ts: read the environment once, connect, start, and stop
 * cleanly on SIGTERM/SIGINT (see stopOnSignals). A bad configuration prints every problem and exits 1.
 */
export function runMain<S extends z.ZodType<CommonConfig>>(options: {
  name: string;
  configSchema: S;
  database?: boolean;
  start: (config: Readonly<z.infer<S>>, deps: PlatformDeps) => Promise<RunningService>;
}): void {
  const run = async () => {
    // @apollo/gateway phones home unless this is set before it is constructed (STACK.md).
    process.env.APOLLO_TELEMETRY_DISABLED = 'true';
    // Outside production, services started one by one share a claims key kept under DATA_DIR.
    const { env, generated } = withDevelopmentSecrets(process.env, ['INTERNAL_CLAIMS_SECRET']);
    if (generated.length > 0) console.warn(`${generated.join(', ')} unset: using a development secret stored under DATA_DIR.`);
    const config = loadConfig(options.configSchema, env);
    const deps = await createPlatformDeps(config, { name: options.name, database: options.database });
    let service: RunningService;
    try {
      service = await options.start(config, deps);
    } catch (error) {
      await deps.close();
      throw error;
    }
    stopOnSignals(async () => {
      await service.stop();
      await deps.close();
    }, { logger: deps.logger, timeoutMs: deps.shutdownTimeoutMs });
  };
  run().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
