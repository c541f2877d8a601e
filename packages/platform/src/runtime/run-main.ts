import type { z } from 'zod';
import type { CommonConfig } from '../config/common';
import { loadConfig } from '../config/load-config';
import { createPlatformDeps, type PlatformDeps, type RunningService } from './platform-deps';

/**
 * The body of every service's main.ts: read the environment once, connect, start, and stop
 * cleanly on SIGTERM/SIGINT. A bad configuration prints every problem and exits 1.
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
    const config = loadConfig(options.configSchema, process.env);
    const deps = await createPlatformDeps(config, { name: options.name, database: options.database });
    const service = await options.start(config, deps);
    const shutdown = async () => {
      await service.stop();
      await deps.close();
      process.exit(0);
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  };
  run().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
