import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ClaimsKeys, claimsKeyVar, deriveSubgraphClaimsKey } from '../auth/claims-keys';
import {
  FallbackReplayGuard,
  MemoryReplayGuard,
  RedisReplayGuard,
  type ReplayGuard,
} from '../auth/replay-guard';
import type { AcceptInProcessClaims } from '../auth/in-process-claims';
import type { CommonConfig } from '../config/common';
import type { BaseContext, Subgraph } from '../server/subgraph';
import { schemaName, type DatabaseTimeouts } from '../db/data-source';
import {
  DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../db/embedded-postgres';
import { createEventBus } from '../events/bus';
import type { EventBus } from '../events/types';
import { createLogger, type Logger } from '../logging/logger';
import { connectRedis } from './redis-client';
import { SUBGRAPH_NAMES } from '../registry/subgraphs';

/** What every service process shares: storage, bus, cache, and the key for forwarded claims. */
export interface PlatformDeps {
  logger: Logger;
  bus: EventBus;
  databaseUrl: string;
  redis?: Redis;
  /**
   * The forwarded-claims keys this process holds: every subgraph's in the gateway (derived from
   * INTERNAL_CLAIMS_SECRET), one subgraph's own in that subgraph (`<NAME>_CLAIMS_KEY`).
   */
  claimsKeys: ClaimsKeys;
  replayGuard: ReplayGuard;
  /** The all-in-one process's claims channel, its subgraphs' half: unset in a process of its own. */
  acceptInProcessClaims?: AcceptInProcessClaims;
  /** Appended to each service's schema name, so test files can share one database. */
  schemaSuffix?: string;
  /** A prefix for Redis keys, so test runs can share one Redis. */
  keyPrefix: string;
  /** Session limits PostgreSQL enforces on the services' pools (the embedded server its own). */
  databaseTimeouts?: DatabaseTimeouts;
  /** SHUTDOWN_TIMEOUT: how long a stop waits for requests in flight, then for the outbox relay. */
  shutdownTimeoutMs: number;
  close(): Promise<void>;
}

/** Every schema one deployment owns in its database: the services' and the database bus's. */
export const DEPLOYMENT_SCHEMAS: readonly string[] = [...SUBGRAPH_NAMES, 'bus'];

let processClaimsMaster: string | undefined;

/**
 * The forwarded-claims keys of a process named `name`. A subgraph's own process holds its own key
 * only (`<NAME>_CLAIMS_KEY`); the gateway and the all-in-one process hold INTERNAL_CLAIMS_SECRET and
 * derive each subgraph's key from it (never the access-token key, so a subgraph cannot mint access
 * tokens, and never another subgraph's, so it cannot mint claims they accept). Unset outside
 * production (the config refuses that in production): a master drawn once per process; services
 * started one by one get theirs from runMain's development secrets under DATA_DIR.
 */
export function claimsKeysFor(
  config: Pick<CommonConfig, 'NODE_ENV' | 'INTERNAL_CLAIMS_SECRET'>,
  name: string,
): ClaimsKeys {
  const subgraph = SUBGRAPH_NAMES.includes(name);
  const own = subgraph
    ? (config as unknown as Record<string, unknown>)[claimsKeyVar(name)]
    : undefined;
  if (typeof own === 'string' && own) return ClaimsKeys.own(name, own);
  if (!subgraph && config.INTERNAL_CLAIMS_SECRET)
    return ClaimsKeys.fromMaster(config.INTERNAL_CLAIMS_SECRET);
  if (config.NODE_ENV === 'production')
    throw new Error(
      `${subgraph ? claimsKeyVar(name) : 'INTERNAL_CLAIMS_SECRET'} is required in production`,
    );
  processClaimsMaster ??= randomBytes(32).toString('base64url');
  return subgraph
    ? ClaimsKeys.own(name, deriveSubgraphClaimsKey(processClaimsMaster, name))
    : ClaimsKeys.fromMaster(processClaimsMaster);
}

function databaseTimeouts(config: CommonConfig): DatabaseTimeouts {
  return {
    idleInTransactionMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT
      ? config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT * 1000
      : DEFAULT_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    statementMs: (config.DATABASE_STATEMENT_TIMEOUT ?? 30) * 1000,
  };
}

/**
 * Connects what the configuration names: PostgreSQL or an embedded PGlite, NATS JetStream or the
 * database bus, Redis or memory.
 */
export async function createPlatformDeps(
  config: CommonConfig,
  options: {
    name: string;
    logger?: Logger;
    natsStream?: string;
    schemaSuffix?: string;
    keyPrefix?: string;
    database?: boolean;
  } = { name: 'bastion' },
): Promise<PlatformDeps> {
  const logger =
    options.logger ??
    createLogger({ name: options.name, level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = config.DATABASE_URL ?? '';
  if (!databaseUrl && options.database !== false) {
    embedded = await startEmbeddedPostgres({
      dataDir: config.DATA_DIR,
      ...(config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT
        ? { idleInTransactionTimeoutMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT * 1000 }
        : {}),
    });
    databaseUrl = embedded.url;
    logger.info({ dataDir: config.DATA_DIR }, 'embedded PGlite started');
  }
  const schemaSuffix = options.schemaSuffix ?? config.SCHEMA_SUFFIX;
  const bus = await createEventBus({
    natsUrl: config.NATS_URL,
    stream: options.natsStream ?? config.NATS_STREAM,
    databaseUrl: databaseUrl || config.DATABASE_URL,
    schema: schemaName('bus', schemaSuffix),
    soleProcess: embedded !== undefined,
    logger,
  });
  const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, logger) : undefined;
  const keyPrefix = options.keyPrefix ?? config.REDIS_KEY_PREFIX;
  return {
    logger,
    bus,
    databaseUrl,
    redis,
    claimsKeys: claimsKeysFor(config, options.name),
    replayGuard: redis
      ? new FallbackReplayGuard(new RedisReplayGuard(redis, `${keyPrefix}jti:`))
      : new MemoryReplayGuard(),
    schemaSuffix,
    keyPrefix,
    // Sent as startup parameters, which PGlite (one shared session) must not receive.
    ...(embedded ? {} : { databaseTimeouts: databaseTimeouts(config) }),
    shutdownTimeoutMs: config.SHUTDOWN_TIMEOUT * 1000,
    async close() {
      await bus.close();
      redis?.disconnect();
      await embedded?.close();
    },
  };
}

/** A running service, as `main.ts`, the all-in-one process and tests see it. */
export interface RunningService {
  name: string;
  url: string;
  port: number;
  /** Stops accepting requests and lets those in flight finish (bounded); the first step of stop(). */
  closeListeners?(): Promise<void>;
  /** Asks its long responses (streams) to end themselves now, with an event saying why. */
  wrapUp?(): void;
  /** Resolves once none of its requests is in flight (response and handler), or after `timeoutMs`. */
  whenIdle?(timeoutMs: number): Promise<void>;
  /** Its requests in flight right now (in-process ones included). */
  readonly inFlight?: number;
  /**
   * A subgraph in the gateway's own process: its requests served without HTTP, counted as
   * requests in flight (docs/architecture.md "In-process subgraphs").
   */
  inProcess?: Pick<Subgraph<BaseContext>, 'executeInProcess'>;
  /** Publishes the outbox events still pending (bounded); the step of stop() after closeListeners. */
  drainOutbox?(): Promise<void>;
  /** Everything, in order: listeners, outbox, consumers, connections. Safe to call twice. */
  stop(): Promise<void>;
}
