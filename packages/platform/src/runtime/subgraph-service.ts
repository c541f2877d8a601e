import type { DataSource, MixedList } from 'typeorm';
import { openDataSource } from '../db/data-source';
import { OutboxRelay } from '../events/relay';
import { createRateLimiter } from '../limits/rate-limiter';
import { DeniedAttemptRecorder } from '../server/denied-attempts';
import type { Subscription } from '../events/types';
import type { Logger } from '../logging/logger';
import { listen } from '../server/http';
import {
  createSubgraph,
  type BaseContext,
  type Route,
  type Subgraph,
  type SubgraphResolvers,
} from '../server/subgraph';
import { schemaName } from '../db/data-source';
import { loadSubgraphTypeDefs } from '../server/prebuilt-schema';
import type { PlatformDeps, RunningService } from './platform-deps';

export interface SubgraphServiceParts<C extends BaseContext, S> {
  /** The service's domain objects, exposed to tests and to the all-in-one process. */
  services: S;
  extendContext: (base: BaseContext) => C;
  subscriptions?: Subscription[];
  routes?: Record<string, Route>;
  /** Background work to stop with the service (sweepers, timers). */
  onStop?: () => Promise<void>;
  /** Run as the listeners start closing: cut long requests (streams) so they end before the drain deadline. */
  beforeClose?: () => Promise<void>;
}

export interface SubgraphServiceOptions<C extends BaseContext, S> {
  name: string;
  deps: PlatformDeps;
  host: string;
  port: number;
  schemaFile: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function>;
  resolvers: SubgraphResolvers<C>;
  setup: (infra: {
    dataSource: DataSource;
    relay: OutboxRelay;
    logger: Logger;
  }) => Promise<SubgraphServiceParts<C, S>>;
}

export interface SubgraphService<C extends BaseContext, S> extends RunningService {
  dataSource: DataSource;
  relay: OutboxRelay;
  subgraph: Subgraph<C>;
  services: S;
  closeListeners(): Promise<void>;
  drainOutbox(): Promise<void>;
  wrapUp(): void;
  whenIdle(timeoutMs: number): Promise<void>;
  readonly inFlight: number;
}

/**
 * Starts one subgraph service: its own schema migrated, its outbox relay, its consumers, and
 * its HTTP listener. Every service's server.ts is this plus its domain wiring.
 */
export async function startSubgraphService<C extends BaseContext, S>(
  options: SubgraphServiceOptions<C, S>,
): Promise<SubgraphService<C, S>> {
  const { name, deps } = options;
  const logger = deps.logger.child({ service: name });
  const dataSource = await openDataSource({
    url: deps.databaseUrl,
    timeouts: deps.databaseTimeouts,
    schema: schemaName(name, deps.schemaSuffix),
    entities: options.entities,
    migrations: options.migrations,
    logger,
  });
  const relay = new OutboxRelay(dataSource, deps.bus, logger, { source: name });
  let parts: SubgraphServiceParts<C, S>;
  try {
    parts = await options.setup({ dataSource, relay, logger });
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  const subgraph = await createSubgraph<C>({
    name,
    typeDefs: loadSubgraphTypeDefs(options.schemaFile),
    resolvers: options.resolvers,
    logger,
    claimsKey: deps.claimsKeys.keyFor(name),
    replayGuard: deps.replayGuard,
    acceptInProcessClaims: deps.acceptInProcessClaims,
    extendContext: parts.extendContext,
    routes: parts.routes,
    deniedAttempts: new DeniedAttemptRecorder(
      dataSource,
      createRateLimiter(deps.redis, deps.keyPrefix),
      logger,
      name,
      () => relay.kick(),
    ),
    readiness: async () => ({
      // Answered within the gateway's 2 s probe, so an outage is named "database", not the service.
      database: await withTimeout(dataSource.query('SELECT 1'), 1500).then(
        () => true,
        () => false,
      ),
      bus: deps.bus.health().connected,
    }),
  });
  const listening = await listen(subgraph.listener, { host: options.host, port: options.port });
  relay.start();
  logger.info({ url: listening.url }, `${name} subgraph listening`);
  const closeListeners = once(async () => {
    const closing = listening.close(deps.shutdownTimeoutMs);
    await parts.beforeClose?.();
    await closing;
  });
  const drainOutbox = once(async () => {
    await closeListeners();
    await relay.stop(deps.shutdownTimeoutMs);
  });
  return {
    name,
    url: `${listening.url}/graphql`,
    port: listening.port,
    dataSource,
    relay,
    subgraph,
    services: parts.services,
    closeListeners,
    drainOutbox,
    // npm start asks every subgraph to end its streams shortly before its drain deadline, before
    // the subgraph's own close begins: the service's beforeClose ends them with its own events.
    wrapUp: () => {
      listening.wrapUp();
      void parts.beforeClose?.();
    },
    whenIdle: (timeoutMs) => listening.whenIdle(timeoutMs),
    ...(deps.acceptInProcessClaims
      ? {
          inProcess: {
            executeInProcess: (request, claims, sink) =>
              listening.run(() => subgraph.executeInProcess(request, claims, sink)),
          },
        }
      : {}),
    get inFlight() {
      return listening.inFlight;
    },
    stop: once(async () => {
      await drainOutbox();
      for (const subscription of parts.subscriptions ?? []) await subscription.stop();
      await parts.onStop?.();
      await subgraph.stop();
      await dataSource.destroy();
    }),
  };
}

/** Makes a stop function safe to call twice (a test may stop one service, then the platform). */
export function once(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => (stopping ??= stop());
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
