import type { Redis } from 'ioredis';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { SET_ASIDE_HELP, SET_ASIDE_METRIC, eventsSetAside, redisHealth } from '@bastion/platform';

/** Prometheus metrics of one gateway process. */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'bastion_gateway_requests_total',
    help: 'GraphQL HTTP requests by listener and status',
    labelNames: ['listener', 'status'],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'bastion_gateway_request_duration_seconds',
    help: 'GraphQL HTTP request duration',
    labelNames: ['listener'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'bastion_gateway_auth_failures_total',
    help: 'Requests refused as UNAUTHENTICATED at the gateway',
    registers: [this.registry],
  });

  /**
   * Events this process's consumers set aside (docs/architecture.md "Events"); every bus of the
   * process counts.
   */
  readonly eventsSetAside = new Counter({
    name: SET_ASIDE_METRIC,
    help: SET_ASIDE_HELP,
    labelNames: ['consumer', 'type'],
    registers: [this.registry],
    collect() {
      this.reset();
      for (const { consumer, type, count } of eventsSetAside.entries())
        this.inc({ consumer, type }, count);
    },
  });

  constructor(redis?: Redis) {
    collectDefaultMetrics({ register: this.registry, prefix: 'bastion_gateway_' });
    if (!redis) return;
    // Read from the client's own counts at each scrape (docs/operations.md "What happens when a part fails").
    new Counter({
      name: 'bastion_gateway_redis_failed_commands_total',
      help: 'Redis commands that failed without an answer (timed out, or Redis away): each one fell back to this process',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(redisHealth(redis).failedCommands);
      },
    });
    new Counter({
      name: 'bastion_gateway_redis_outages_total',
      help: 'Times the Redis connection went from ready to away',
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(redisHealth(redis).outages);
      },
    });
    new Gauge({
      name: 'bastion_gateway_redis_up',
      help: '1 while the Redis connection is ready, 0 while the process falls back',
      registers: [this.registry],
      collect() {
        this.set(redisHealth(redis).isUp ? 1 : 0);
      },
    });
  }
}
