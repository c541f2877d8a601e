import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { Redis } from 'ioredis';
import { deriveKey } from '../auth/keys';
import {
  FallbackReplayGuard,
  MemoryReplayGuard,
  RedisReplayGuard,
  type ReplayGuard,
} from '../auth/replay-guard';
import type { CommonConfig } from '../config/common';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres';
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
  /** Key the gateway signs forwarded claims with and subgraphs verify them with. */
  claimsKey: KeyObject;
  replayGuard: ReplayGuard;
  /** Appended to each service's schema name, so test files can share one database. */
  schemaSuffix?: string;
  /** A prefix for Redis keys, so test runs can share one Redis. */
  keyPrefix: string;
  /** SHUTDOWN_TIMEOUT: how long a stop waits for requests in flight, then for the outbox relay. */
  shutdownTimeoutMs: number;
  close(): Promise<void>;
}

/** Every schema one deployment owns in its database: the services' and the database bus's. */
export const DEPLOYMENT_SCHEMAS: readonly string[] = [...SUBGRAPH_NAMES, 'bus'];

export function schemaName(service: string, suffix?: string): string {
  return suffix ? `${service}_${suffix}` : service;
}

let processClaimsKey: KeyObject | undefined;

/**
 * The forwarded-claims key: INTERNAL_CLAIMS_SECRET, its own secret (never the access-token key, so
 * a subgraph that holds it cannot mint access tokens). Unset outside production (the config
 * refuses that in production): a key drawn once per process, which every service in the process
 * shares; separately started services get a common one from runMain's development secrets.
 */
export function claimsKeyFor(
  config: Pick<CommonConfig, 'NODE_ENV' | 'INTERNAL_CLAIMS_SECRET'>,
): KeyObject {
  if (config.INTERNAL_CLAIMS_SECRET)
    return deriveKey(config.INTERNAL_CLAIMS_SECRET, 'forwarded-claims');
  if (config.NODE_ENV === 'production')
    throw new Error('INTERNAL_CLAIMS_SECRET is required in production');
  return (processClaimsKey ??= createSecretKey(randomBytes(32)));
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
    embedded = await startEmbeddedPostgres({ dataDir: config.DATA_DIR });
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
    claimsKey: claimsKeyFor(config),
    replayGuard: redis
      ? new FallbackReplayGuard(new RedisReplayGuard(redis, `${keyPrefix}jti:`))
      : new MemoryReplayGuard(),
    schemaSuffix,
    keyPrefix,
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
  /** Its requests in flight right now. */
  readonly inFlight?: number;
  /** Publishes the outbox events still pending (bounded); the step of stop() after closeListeners. */
  drainOutbox?(): Promise<void>;
  /** Everything, in order: listeners, outbox, consumers, connections. Safe to call twice. */
  stop(): Promise<void>;
}
